// What the schedules pages need besides the schedules: which kinds the actor may schedule,
// their patients for the form, and display labels for the targets in the list.
import { decide, type TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { emailUnavailableReason } from "@/lib/delivery/smtp-from-env";
import { env } from "@/lib/env";
import { patientScope } from "@/lib/patients/patient-scope";
import { DATASET_TIERS } from "@/lib/schedules/schedule-input";

const REPORT_LABELS: Record<string, string> = {
  session_notes: "Session notes",
  progress_report: "Progress report",
  treatment_summary: "Treatment summary",
  full_record: "Full record",
  insurance_report: "Insurance report",
  dataset: "Dataset",
};

/** The IANA time zones this server knows (its ICU data), UTC included. */
export function ianaTimeZones(): string[] {
  return [...new Set(["UTC", ...Intl.supportedValuesOf("timeZone")])];
}

export function exportTypeLabel(exportType: string) {
  return REPORT_LABELS[exportType] ?? exportType;
}

export async function scheduleFormOptions(actor: TActor) {
  const mayReport = decide(actor, { action: "template.use" }).allowed;
  const tiers = DATASET_TIERS.filter((tier) => decide(actor, { action: "dataset.export", tier }).allowed);
  const patients = mayReport
    ? await prisma.patient.findMany({ where: patientScope(actor), orderBy: [{ familyName: "asc" }, { givenName: "asc" }], take: 500, select: { id: true, givenName: true, familyName: true } })
    : [];

  return {
    kinds: [...(mayReport ? (["report"] as const) : []), ...(tiers.length ? (["dataset"] as const) : [])],
    patients: patients.map((p) => ({ id: p.id, label: `${p.familyName}, ${p.givenName}` })),
    allowPracticeWide: decide(actor, { action: "report.export-practice-wide" }).allowed,
    datasetTiers: [...tiers],
    defaultTimezone: env().PRACTICE_TIMEZONE,
    // The server's own list: what it accepts is what the picker offers.
    timeZones: ianaTimeZones(),
    emailUnavailable: emailUnavailableReason(),
    canEmailSeveral: actor.role === "ADMIN",
  };
}

/** Patient names for the list, only for patients the actor may see. */
export async function patientLabels(actor: TActor, patientIds: string[]) {
  if (patientIds.length === 0) return new Map<string, string>();
  const rows = await prisma.patient.findMany({ where: { AND: [patientScope(actor), { id: { in: patientIds } }] }, select: { id: true, givenName: true, familyName: true } });

  return new Map(rows.map((row) => [row.id, `${row.givenName} ${row.familyName}`]));
}

/** Owners' names and emails for an admin's list of everyone's schedules; nobody else gets any. */
export async function ownerLabels(actor: TActor, userIds: string[]) {
  if (actor.role !== "ADMIN" || userIds.length === 0) return new Map<string, { name: string; email: string }>();
  const rows = await prisma.user.findMany({ where: { id: { in: [...new Set(userIds)] } }, select: { id: true, name: true, email: true } });

  return new Map(rows.map((row) => [row.id, { name: row.name, email: row.email }]));
}
