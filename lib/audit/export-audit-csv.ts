// CSV of a filtered view of the audit trail, streamed in sequence order in keyset batches, so
// a million-record export holds memory flat. The export itself is audited before streaming.
import { Readable } from "node:stream";

import { Prisma } from "@/generated/prisma/client";
import type { TAuditLogFilters } from "@/lib/audit/find-audit-logs";
import { AUDIT_RECORD_SELECT, auditWhereSql, loadUserLabels, toAuditRecordDto, type TAuditRecordDto } from "@/lib/audit/find-audit-logs";
import { recordAudit } from "@/lib/audit/record";
import { csvLine } from "@/lib/csv/csv";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";

const BATCH = 1_000;

const COLUMNS: { header: string; value: (record: TAuditRecordDto) => unknown }[] = [
  { header: "seq", value: (r) => r.seq },
  { header: "created_at", value: (r) => r.created_at },
  { header: "action", value: (r) => r.action },
  { header: "outcome", value: (r) => r.outcome },
  { header: "user_id", value: (r) => r.user_id },
  { header: "user_email", value: (r) => r.user_email },
  { header: "actor_label", value: (r) => r.actor_label },
  { header: "export_job_id", value: (r) => r.export_job_id },
  { header: "patient_id", value: (r) => r.patient_id },
  { header: "dataset", value: (r) => r.dataset },
  { header: "template_id", value: (r) => r.template_id },
  { header: "schedule_id", value: (r) => r.schedule_id },
  { header: "ip_address", value: (r) => r.ip_address },
  { header: "user_agent", value: (r) => r.user_agent },
  { header: "request_id", value: (r) => r.request_id },
  { header: "metadata", value: (r) => (r.metadata === null ? null : JSON.stringify(r.metadata)) },
  { header: "hash", value: (r) => r.hash },
];

async function* auditCsvLines(filters: TAuditLogFilters) {
  // Bytes, not strings: Readable.toWeb hands chunks to a byte stream.
  yield Buffer.from(csvLine(COLUMNS.map((column) => column.header)), "utf8");
  let afterSeq = 0;
  for (;;) {
    const idRows = await prisma.$queryRaw<{ id: string; seq: number }[]>(
      Prisma.sql`SELECT "id", "seq" FROM "ExportAuditLog" ${auditWhereSql(filters, [Prisma.sql`"seq" > ${afterSeq}`])} ORDER BY "seq" ASC LIMIT ${BATCH}`,
    );
    if (idRows.length === 0) return;
    const rows = await prisma.exportAuditLog.findMany({ where: { id: { in: idRows.map((row) => row.id) } }, orderBy: { seq: "asc" }, select: AUDIT_RECORD_SELECT });
    const users = await loadUserLabels(rows.map((row) => row.userId));
    yield Buffer.from(rows.map((row) => csvLine(COLUMNS.map((column) => column.value(toAuditRecordDto(row, users))))).join(""), "utf8");
    afterSeq = Number(idRows.at(-1)!.seq);
  }
}

export type TExportAuditCsvOptions = { filters: TAuditLogFilters; actorId: string; meta?: TRequestMeta };

/**
 * Records `audit_exported` (with the filters, never the rows) and returns the CSV as a stream.
 * The record comes first: an export that is refused or interrupted was still asked for.
 */
export async function exportAuditCsv({ filters, actorId, meta }: TExportAuditCsvOptions) {
  await recordAudit(null, { action: "audit_exported", userId: actorId, metadata: { filters: { ...filters } }, meta });
  const fileName = `audit-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.csv`;

  return { stream: Readable.from(auditCsvLines(filters)), fileName };
}
