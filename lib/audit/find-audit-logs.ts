// The audit browser's query: server-side filters, a whitelisted sort and paging. The WHERE clause
// is built as parameterized SQL (Prisma.sql) because the free-text search reaches into the
// metadata JSON as text, which Prisma's query API cannot express on both providers.
import { z } from "zod";

import { Prisma } from "@/generated/prisma/client";
import { ZAuditAction, ZAuditOutcome } from "@/lib/audit/actions";
import { zDateOrDateTime } from "@/lib/dates/bounded-dates";
import { isPostgres, prisma } from "@/lib/db/client";

export const AUDIT_PAGE_SIZE_MAX = 200;

/** API sort keys -> columns. Only these reach the ORDER BY. */
const SORT_COLUMNS = {
  created_at: "createdAt",
  seq: "seq",
  action: "action",
  outcome: "outcome",
  user: "userId",
  actor_label: "actorLabel",
  patient_id: "patientId",
  job_id: "exportJobId",
} as const;
export const AUDIT_SORT_KEYS = Object.keys(SORT_COLUMNS) as (keyof typeof SORT_COLUMNS)[];

/** "2026-03-01" or a full ISO datetime. A date-only `to` covers that whole (UTC) day. */
const ZInstant = zDateOrDateTime();

/** Repeated (?action=a&action=b) or comma-separated (?action=a,b). */
const ZActionList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(",")).map((part) => part.trim()).filter(Boolean))
  .pipe(z.array(ZAuditAction).max(50));

export const ZAuditLogFilters = z.object({
  user: z.string().trim().min(1).max(100).optional(),
  action: ZActionList.optional(),
  outcome: ZAuditOutcome.optional(),
  patient_id: z.string().trim().min(1).max(100).optional(),
  job_id: z.string().trim().min(1).max(100).optional(),
  from: ZInstant.optional(),
  to: ZInstant.optional(),
  q: z.string().trim().max(200).optional(),
});

export const ZAuditLogQuery = ZAuditLogFilters.extend({
  sort: z.enum(AUDIT_SORT_KEYS as [keyof typeof SORT_COLUMNS, ...(keyof typeof SORT_COLUMNS)[]], `must be one of ${AUDIT_SORT_KEYS.join(", ")}`).default("created_at"),
  order: z.enum(["asc", "desc"], "must be asc or desc").default("desc"),
  page: z.coerce.number().int().min(1, "must be 1 or more").default(1),
  page_size: z.coerce.number().int().min(1, "must be 1 or more").max(AUDIT_PAGE_SIZE_MAX, `must be at most ${AUDIT_PAGE_SIZE_MAX}`).default(50),
});
export type TAuditLogFilters = z.infer<typeof ZAuditLogFilters>;
export type TAuditLogQuery = z.infer<typeof ZAuditLogQuery>;

function endOfRange(to: string): Date {
  const date = new Date(to);
  // A bare date means "through that day": the bound becomes the next midnight, exclusive.
  if (/^\d{4}-\d{2}-\d{2}$/.test(to)) date.setUTCDate(date.getUTCDate() + 1);

  return date;
}

function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (match) => `\\${match}`);
}

/** The WHERE clause for a set of filters (plus any extra conditions); shared by the page query and the CSV export. */
export function auditWhereSql(filters: TAuditLogFilters, extra: Prisma.Sql[] = []): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filters.user) parts.push(Prisma.sql`"userId" = ${filters.user}`);
  if (filters.action?.length) parts.push(Prisma.sql`"action" IN (${Prisma.join(filters.action)})`);
  if (filters.outcome) parts.push(Prisma.sql`"outcome" = ${filters.outcome}`);
  if (filters.patient_id) parts.push(Prisma.sql`"patientId" = ${filters.patient_id}`);
  if (filters.job_id) parts.push(Prisma.sql`"exportJobId" = ${filters.job_id}`);
  if (filters.from) parts.push(Prisma.sql`"createdAt" >= ${new Date(filters.from)}`);
  if (filters.to) {
    const isExclusive = /^\d{4}-\d{2}-\d{2}$/.test(filters.to);
    parts.push(isExclusive ? Prisma.sql`"createdAt" < ${endOfRange(filters.to)}` : Prisma.sql`"createdAt" <= ${endOfRange(filters.to)}`);
  }
  if (filters.q) {
    const pattern = `%${escapeLike(filters.q)}%`;
    // SQLite's LIKE is case-insensitive for ASCII already; PostgreSQL needs ILIKE.
    const like = isPostgres() ? Prisma.raw("ILIKE") : Prisma.raw("LIKE");
    parts.push(Prisma.sql`("actorLabel" ${like} ${pattern} ESCAPE '\\' OR "action" ${like} ${pattern} ESCAPE '\\' OR CAST("metadata" AS TEXT) ${like} ${pattern} ESCAPE '\\')`);
  }

  parts.push(...extra);

  return parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, " AND ")}` : Prisma.empty;
}

export function auditOrderSql(sort: TAuditLogQuery["sort"], order: TAuditLogQuery["order"]): Prisma.Sql {
  const direction = order === "asc" ? "ASC" : "DESC";
  // seq breaks ties, so a page boundary is stable; for created_at it follows the same order.
  if (sort === "seq" || sort === "created_at") return Prisma.raw(`ORDER BY "seq" ${direction}`);

  return Prisma.raw(`ORDER BY "${SORT_COLUMNS[sort]}" ${direction}, "seq" ${direction}`);
}

export const AUDIT_RECORD_SELECT = {
  id: true, seq: true, action: true, outcome: true, userId: true, actorLabel: true, exportJobId: true, patientId: true, dataset: true,
  templateId: true, scheduleId: true, ipAddress: true, userAgent: true, requestId: true, metadata: true, createdAt: true, hash: true,
} as const;

type TAuditRow = Prisma.ExportAuditLogGetPayload<{ select: typeof AUDIT_RECORD_SELECT }>;
export type TUserLabel = { email: string; name: string };

export type TPatientLabel = { name: string; mrn: string | null };

export function toAuditRecordDto(row: TAuditRow, users: Map<string, TUserLabel>, patients?: Map<string, TPatientLabel>) {
  const user = row.userId ? users.get(row.userId) : undefined;
  const patient = row.patientId ? patients?.get(row.patientId) : undefined;

  return {
    id: row.id,
    seq: row.seq,
    created_at: row.createdAt.toISOString(),
    action: row.action,
    outcome: row.outcome,
    user_id: row.userId,
    user_email: user?.email ?? null,
    user_name: user?.name ?? null,
    actor_label: row.actorLabel,
    export_job_id: row.exportJobId,
    patient_id: row.patientId,
    ...(patients ? { patient_name: patient?.name ?? null, patient_mrn: patient?.mrn ?? null } : {}),
    dataset: row.dataset,
    template_id: row.templateId,
    schedule_id: row.scheduleId,
    ip_address: row.ipAddress,
    user_agent: row.userAgent,
    request_id: row.requestId,
    metadata: row.metadata ?? null,
    hash: row.hash,
  };
}
export type TAuditRecordDto = ReturnType<typeof toAuditRecordDto>;

export async function loadUserLabels(userIds: (string | null)[]): Promise<Map<string, TUserLabel>> {
  const ids = [...new Set(userIds.filter((id): id is string => Boolean(id)))];
  if (ids.length === 0) return new Map();
  const users = await prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true, name: true } });

  return new Map(users.map((user) => [user.id, { email: user.email, name: user.name }]));
}

/** Names and MRNs of the patients a page of records is about (the audit trail is for admins only). */
export async function loadPatientLabels(patientIds: (string | null)[]): Promise<Map<string, TPatientLabel>> {
  const ids = [...new Set(patientIds.filter((id): id is string => Boolean(id)))];
  if (ids.length === 0) return new Map();
  const patients = await prisma.patient.findMany({ where: { id: { in: ids } }, select: { id: true, givenName: true, familyName: true, mrn: true } });

  return new Map(patients.map((patient) => [patient.id, { name: `${patient.givenName} ${patient.familyName}`, mrn: patient.mrn }]));
}

/**
 * Counting is capped: an exact COUNT(*) over a million-record trail cost more than the page itself.
 * Counting stops at 10,000 records or one past the end of the requested page, whichever is larger,
 * so the count always tells whether a next page exists.
 */
export const AUDIT_COUNT_CAP = 10_000;

/**
 * One page of audit records matching the filters, newest first by default. `total` is exact when
 * `total_is_exact`; otherwise it is a lower bound (more than AUDIT_COUNT_CAP records and more
 * beyond this page: show it as "10,000+").
 */
export async function findAuditLogs(query: TAuditLogQuery) {
  const where = auditWhereSql(query);
  const offset = (query.page - 1) * query.page_size;
  const countLimit = Math.max(AUDIT_COUNT_CAP, offset + query.page_size) + 1;
  const [countRows, idRows] = await Promise.all([
    prisma.$queryRaw<{ total: bigint | number }[]>(
      Prisma.sql`SELECT COUNT(*) AS "total" FROM (SELECT 1 FROM "ExportAuditLog" ${where} LIMIT ${countLimit}) AS "capped"`,
    ),
    prisma.$queryRaw<{ id: string; userId: string | null }[]>(
      Prisma.sql`SELECT "id", "userId" FROM "ExportAuditLog" ${where} ${auditOrderSql(query.sort, query.order)} LIMIT ${query.page_size} OFFSET ${offset}`,
    ),
  ]);
  const ids = idRows.map((row) => row.id);
  // The page's user ids come with its ids, so the rows and their user labels load in one round trip, not two.
  const [rows, users] = await Promise.all([
    ids.length ? prisma.exportAuditLog.findMany({ where: { id: { in: ids } }, select: AUDIT_RECORD_SELECT }) : [],
    loadUserLabels(idRows.map((row) => row.userId)),
  ]);
  const patients = await loadPatientLabels(rows.map((row) => row.patientId));
  const byId = new Map(rows.map((row) => [row.id, row]));

  const counted = Number(countRows[0]?.total ?? 0);

  return {
    // When capped, one more than the counted limit: the page count then always offers a next page.
    total: counted,
    total_is_exact: counted < countLimit,
    page: query.page,
    page_size: query.page_size,
    sort: query.sort,
    order: query.order,
    records: ids.flatMap((id) => (byId.has(id) ? [toAuditRecordDto(byId.get(id)!, users, patients)] : [])),
  };
}
