// "Who opened this patient's record?": every audit record about one patient (views, exports,
// downloads, FHIR reads, denials, assignment changes), oldest first, as CSV or as a PDF an admin
// can file or hand over. The report is itself audited.
import { AUDIT_RECORD_SELECT, loadUserLabels, type TUserLabel } from "@/lib/audit/find-audit-logs";
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { csvLine } from "@/lib/csv/csv";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { renderDocument } from "@/lib/render/render-document";

/** A PDF is for reading: past this many records, the CSV has them all. */
export const ACCESS_REPORT_PDF_MAX_ROWS = 2_000;

const ACTION_WORDS: Record<string, string> = {
  patient_viewed: "Opened the record",
  export_created: "Requested an export",
  export_completed: "Export produced",
  export_failed: "Export failed",
  downloaded: "Downloaded an export",
  deleted: "Deleted an export",
  expired: "Export file expired",
  access_denied: "Was refused access",
  assignment_changed: "Assignment changed",
  fhir_read: "Read through the FHIR API",
  fhir_searched: "Searched through the FHIR API",
  schedule_run: "Scheduled export ran",
  schedule_created: "Created a schedule",
  schedule_updated: "Changed a schedule",
  schedule_deleted: "Deleted a schedule",
  delivery_succeeded: "Scheduled export delivered",
  delivery_failed: "Scheduled delivery failed",
  audit_exported: "Produced an access report",
};

type TRow = { at: string; who: string; email: string; action: string; actionCode: string; outcome: string; ip: string; via: string };

function rowOf(record: { createdAt: Date; userId: string | null; actorLabel: string | null; action: string; outcome: string; ipAddress: string | null; metadata: unknown }, users: Map<string, TUserLabel>): TRow {
  const user = record.userId ? users.get(record.userId) : undefined;
  const metadata = (record.metadata ?? {}) as { via?: unknown; preview?: unknown };

  return {
    at: record.createdAt.toISOString().replace("T", " ").slice(0, 19),
    who: user?.name ?? record.actorLabel ?? "—",
    email: user?.email ?? "",
    action: `${ACTION_WORDS[record.action] ?? record.action.replaceAll("_", " ")}${typeof metadata.preview === "string" ? " (preview)" : ""}`,
    actionCode: record.action,
    outcome: record.outcome,
    ip: record.ipAddress ?? "",
    via: typeof metadata.via === "string" ? metadata.via : "",
  };
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export type TPatientAccessReportOptions = { patientId: string; format: "csv" | "pdf"; actorId: string; meta?: TRequestMeta | null };

export async function patientAccessReport({ patientId, format, actorId, meta }: TPatientAccessReportOptions) {
  const patient = await prisma.patient.findUnique({ where: { id: patientId }, select: { id: true, givenName: true, familyName: true, mrn: true, birthDate: true } });
  if (!patient) throw new AppError("NOT_FOUND", "Patient not found");
  await recordAudit(null, { action: "audit_exported", userId: actorId, patientId, metadata: { report: "patient-access", format }, meta });

  const records = await prisma.exportAuditLog.findMany({
    where: { patientId },
    orderBy: { seq: "asc" },
    select: AUDIT_RECORD_SELECT,
    ...(format === "pdf" ? { take: ACCESS_REPORT_PDF_MAX_ROWS + 1 } : {}),
  });
  const users = await loadUserLabels(records.map((record) => record.userId));
  const rows = records.slice(0, format === "pdf" ? ACCESS_REPORT_PDF_MAX_ROWS : undefined).map((record) => rowOf(record, users));
  const name = `${patient.givenName} ${patient.familyName}`;
  const stamp = new Date().toISOString().slice(0, 10);
  const fileName = `access-report-${patient.mrn?.replace(/[^A-Za-z0-9-]/g, "") || patient.id}-${stamp}.${format}`;

  if (format === "csv") {
    const header = csvLine(["time_utc", "user", "user_email", "action", "action_code", "outcome", "ip_address", "via"]);
    const body = rows.map((row) => csvLine([row.at, row.who, row.email, row.action, row.actionCode, row.outcome, row.ip, row.via])).join("");

    return { body: Buffer.from(header + body, "utf8"), contentType: "text/csv; charset=utf-8", fileName, count: rows.length };
  }

  const html = [
    `<h1>Access report</h1>`,
    `<p><strong>Patient:</strong> ${escapeHtml(name)}${patient.mrn ? ` (MRN ${escapeHtml(patient.mrn)})` : ""}${patient.birthDate ? `, born ${escapeHtml(patient.birthDate)}` : ""}</p>`,
    `<p>Every access to this patient's record recorded in the audit trail, oldest first (times in UTC). Produced ${escapeHtml(new Date().toISOString().slice(0, 16).replace("T", " "))} UTC.</p>`,
    records.length > ACCESS_REPORT_PDF_MAX_ROWS ? `<p><em>The first ${ACCESS_REPORT_PDF_MAX_ROWS} records are shown; the CSV report has them all.</em></p>` : "",
    rows.length === 0
      ? "<p><em>No access to this record has been recorded.</em></p>"
      : `<table><thead><tr><th>Time (UTC)</th><th>User</th><th>Action</th><th>Outcome</th><th>IP address</th></tr></thead><tbody>${rows
          .map((row) => `<tr><td>${escapeHtml(row.at)}</td><td>${escapeHtml(row.who)}${row.email ? ` (${escapeHtml(row.email)})` : ""}</td><td>${escapeHtml(row.action)}</td><td>${escapeHtml(row.outcome)}</td><td>${escapeHtml(row.ip || "—")}</td></tr>`)
          .join("")}</tbody></table>`,
  ].join("\n");
  const pdf = await renderDocument(html, "pdf", { title: `Access report — ${name}` });

  return { body: pdf, contentType: "application/pdf", fileName, count: rows.length };
}
