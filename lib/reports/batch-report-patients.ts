// Which patients a batch report covers, decided when it is requested (each asked of the policy as
// a single export would be), and which of them its file holds once it ran (for job views and
// downloads, which re-check those against today's assignments).
import type { Prisma } from "@/generated/prisma/client";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import type { TDb } from "@/lib/db/client";
import { prisma } from "@/lib/db/client";
import { AppError, invalidInput } from "@/lib/errors/app-error";
import { patientScope } from "@/lib/patients/patient-scope";
import { assertMayExportPatient } from "@/lib/reports/create-report-export";
import { MAX_BATCH_PATIENTS, type TBatchSelection } from "@/lib/reports/batch-report-request";

const BY_NAME = [{ familyName: "asc" as const }, { givenName: "asc" as const }, { id: "asc" as const }];

async function idsInOrder(where: Prisma.PatientWhereInput) {
  const rows = await prisma.patient.findMany({ where, orderBy: BY_NAME, select: { id: true }, take: MAX_BATCH_PATIENTS + 1 });
  if (rows.length > MAX_BATCH_PATIENTS) throw invalidInput("scope", `covers more than ${MAX_BATCH_PATIENTS} patients; choose an organization or a list of patients`);

  return rows.map((row) => row.id);
}

/**
 * The patient ids of a batch, in the order their files are written. Every refusal is the single
 * export's (403/404, audited): a therapist asks for their caseload or their own patients; an
 * organization or the whole practice is an admin's (`report.export-practice-wide`).
 */
export async function resolveBatchPatients(actor: TActor, selection: TBatchSelection, meta: TRequestMeta | null | undefined): Promise<string[]> {
  let patientIds: string[];
  switch (selection.scope) {
    case "caseload":
      if (actor.role === "ADMIN") throw invalidInput("scope", "admins have no caseload: choose patients, an organization or the practice");
      // Analysts (and any role but therapists) are refused here, audited, as for a single report.
      if (actor.role !== "THERAPIST") await authorize(actor, { action: "report.export", isAssigned: false }, { meta });
      patientIds = await idsInOrder(patientScope(actor));
      break;
    case "patients": {
      patientIds = [...new Set(selection.patient_ids!)];
      // One by one, as the single export does: a patient who is not the actor's answers like a missing one.
      for (const patientId of patientIds) await assertMayExportPatient(actor, patientId, meta);
      break;
    }
    case "organization": {
      await authorize(actor, { action: "report.export-practice-wide" }, { meta });
      const organization = await prisma.organization.findUnique({ where: { id: selection.organization_id! }, select: { id: true } });
      if (!organization) throw new AppError("NOT_FOUND", "Organization not found", { issues: [{ path: "organization_id", message: "not found" }] });
      patientIds = await idsInOrder({ organizationId: organization.id });
      break;
    }
    case "practice":
      await authorize(actor, { action: "report.export-practice-wide" }, { meta });
      patientIds = await idsInOrder({});
      break;
  }
  if (!patientIds.length) throw invalidInput(selection.scope === "patients" ? "patient_ids" : "scope", "the selection holds no patients");

  return patientIds;
}

/**
 * The patients a batch job's view and file are about: those its file holds, and while it runs
 * those still to come. Skipped and failed ones are in neither (the manifest names them by id only).
 */
export async function batchJobPatientIds(db: TDb, jobId: string): Promise<string[]> {
  const rows = await db.exportJobPatient.findMany({ where: { jobId, status: { in: ["pending", "included"] } }, select: { patientId: true } });

  return rows.map((row) => row.patientId);
}

/** The organizations an actor may ask a batch for (admins: all; everyone else: none), for the page's picker. */
export async function batchOrganizationOptions(actor: TActor): Promise<{ id: string; name: string }[]> {
  if (actor.role !== "ADMIN") return [];

  return prisma.organization.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }], select: { id: true, name: true }, take: 500 });
}
