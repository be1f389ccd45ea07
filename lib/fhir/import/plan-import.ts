// Step 2 of an import, inside the write transaction but before any write: find which
// resources already exist (by FHIR id), give new ones their row id, and resolve every
// reference to a row id, in the file or in the database. A few bulk queries per table,
// never one query per reference.
import { randomBytes } from "node:crypto";

import { isPostgres, postgresTransactionConnection, sqliteTransactionConnection, type TPgConnection, type TTx } from "@/lib/db/client";
import { CARE_PLAN_CATEGORY } from "@/lib/fhir/fhir-conventions";
import type { TCarePlan, TReference, TResourceType } from "@/lib/fhir/import/fhir-schemas";
import { referencesOf } from "@/lib/fhir/import/resource-references";
import { resourceLabel, throwIfIssues, type TValidResource } from "@/lib/fhir/import/validate-resources";
import type { TIssue } from "@/lib/errors/app-error";

export type TTable =
  | "organization"
  | "location"
  | "practitioner"
  | "patient"
  | "encounter"
  | "condition"
  | "treatmentPlan"
  | "carePlan"
  | "goal"
  | "careTeam"
  | "questionnaireResponse"
  | "observation"
  | "sessionNote"
  | "consent";

/** A table's name in the database (Prisma's model name): "treatmentPlan" -> "TreatmentPlan". */
export const modelTableName = (table: TTable) => table[0]!.toUpperCase() + table.slice(1);

/** FHIR ids per lookup query: well under both databases' bind-parameter limits. */
const LOOKUP_CHUNK = 5_000;
/** FHIR ids per PostgreSQL lookup, as one array parameter (no bind-parameter limit applies). */
const PG_LOOKUP_CHUNK = 50_000;

export const TABLES_BY_TYPE: Record<TResourceType, TTable[]> = {
  Organization: ["organization"],
  Location: ["location"],
  Practitioner: ["practitioner"],
  Patient: ["patient"],
  Encounter: ["encounter"],
  Condition: ["condition"],
  CarePlan: ["treatmentPlan", "carePlan"],
  Goal: ["goal"],
  CareTeam: ["careTeam"],
  QuestionnaireResponse: ["questionnaireResponse"],
  Observation: ["observation"],
  DocumentReference: ["sessionNote"],
  Consent: ["consent"],
};

export function isTreatmentPlan(plan: TCarePlan) {
  return Boolean(plan.category?.some((category) => category.coding?.some((coding) => coding.code === CARE_PLAN_CATEGORY.treatmentPlan)));
}

export function tableFor(resource: TValidResource): TTable {
  if (resource.data.resourceType === "CarePlan") return isTreatmentPlan(resource.data) ? "treatmentPlan" : "carePlan";

  return TABLES_BY_TYPE[resource.type][0]!;
}

// Random bytes for row ids, drawn a few thousand ids at a time: one randomBytes call per row was
// a measurable share of a 160,000-resource import.
const ID_BYTES = 12;
let idPool = Buffer.alloc(0);
let idOffset = 0;

/** Row ids look like the schema's cuid() defaults; generated here so references resolve before rows exist. */
export function newRowId() {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 4096);
    idOffset = 0;
  }
  idOffset += ID_BYTES;

  return `c${idPool.toString("hex", idOffset - ID_BYTES, idOffset)}`;
}

export type TRowTarget = { id: string; table: TTable };

export type TImportPlan = {
  /**
   * Per in-file resource key: its row id, whether the row exists, and (SQLite) the stored raw
   * resource as JSON text. PostgreSQL compares raw in the upsert itself (bulk-upsert.ts
   * unchangedIf), so it is not read back there.
   */
  rows: Map<string, TRowTarget & { exists: boolean; existingRawText?: string }>;
  /** Every resolvable key (in the file or the database) -> its row. */
  targets: Map<string, TRowTarget>;
  /** Bundle fullUrl -> key, for urn:uuid references. */
  aliases: Map<string, string>;
};

type TFoundRow = { id: string; fhirId: string; raw?: unknown };

/**
 * The rows of `table` with these FHIR ids, in raw SQL: through the model API the query engine's
 * per-row decoding cost more than the query. On the transaction's own connection where there is
 * one (PostgreSQL: one `= ANY($1)` array parameter; SQLite: a prepared statement), else through
 * Prisma's raw SQL. `raw` (SQLite only) comes back as JSON text.
 */
async function findByFhirId(tx: TTx, table: TTable, fhirIds: string[], withRaw: boolean, pg: TPgConnection | null): Promise<TFoundRow[]> {
  const found: TFoundRow[] = [];
  const columns = `"id", "fhirId"${withRaw ? `, "raw"` : ""}`;
  const from = `FROM "${modelTableName(table)}"`;
  if (pg) {
    for (let start = 0; start < fhirIds.length; start += PG_LOOKUP_CHUNK) {
      const result = await pg.query(`SELECT ${columns} ${from} WHERE "fhirId" = ANY($1::text[])`, [fhirIds.slice(start, start + PG_LOOKUP_CHUNK)]);
      for (const row of result.rows) found.push(row as TFoundRow);
    }
    return found;
  }
  const onPostgres = isPostgres();
  const sqlite = onPostgres ? null : await sqliteTransactionConnection(tx);
  const statements = new Map<number, { all(...params: unknown[]): unknown[] }>();
  for (let start = 0; start < fhirIds.length; start += LOOKUP_CHUNK) {
    const chunk = fhirIds.slice(start, start + LOOKUP_CHUNK);
    const slots = chunk.map((_, index) => (onPostgres ? `$${index + 1}` : "?")).join(", ");
    const sql = `SELECT ${columns} ${from} WHERE "fhirId" IN (${slots})`;
    if (sqlite) {
      // At most two statements per table: full chunks and the last one.
      let statement = statements.get(chunk.length);
      if (!statement) statements.set(chunk.length, (statement = sqlite.prepare(sql)));
      for (const row of statement.all(...chunk)) found.push(row as TFoundRow);
      continue;
    }
    for (const row of await tx.$queryRawUnsafe<TFoundRow[]>(sql, ...chunk)) found.push(row);
  }

  return found;
}

export function referenceKey(reference: TReference, aliases: Map<string, string>) {
  return reference.reference.startsWith("urn:") ? aliases.get(reference.reference) : reference.reference;
}

export async function planImport(tx: TTx, resources: TValidResource[]): Promise<TImportPlan> {
  const rows: TImportPlan["rows"] = new Map();
  const targets: TImportPlan["targets"] = new Map();
  const aliases = new Map(resources.filter((resource) => resource.fullUrl).map((resource) => [resource.fullUrl!, resource.key]));

  const byTable = new Map<TTable, TValidResource[]>();
  for (const resource of resources) {
    const table = tableFor(resource);
    const list = byTable.get(table);
    if (list) list.push(resource);
    else byTable.set(table, [resource]);
  }
  const pg = await postgresTransactionConnection(tx);
  const withRaw = !isPostgres();
  for (const [table, group] of byTable) {
    const existing = new Map((await findByFhirId(tx, table, group.map((resource) => resource.id), withRaw, pg)).map((row) => [row.fhirId, row]));
    for (const resource of group) {
      const found = existing.get(resource.id);
      // Prisma's raw SQL may hand a Json column back parsed; the comparison wants the text.
      const rawText = found && withRaw ? (typeof found.raw === "string" ? found.raw : JSON.stringify(found.raw)) : undefined;
      const row = found ? { id: found.id, table, exists: true, existingRawText: rawText } : { id: newRowId(), table, exists: false };
      rows.set(resource.key, row);
      targets.set(resource.key, { id: row.id, table });
    }
  }

  // References to resources outside the file: collect them, then look each type up in bulk.
  const issues: TIssue[] = [];
  const pending: { label: string; path: string; key: string }[] = [];
  for (const resource of resources) {
    const label = resourceLabel(resource.index, resource.type, resource.id);
    for (const use of referencesOf(resource.data)) {
      const key = referenceKey(use.reference, aliases);
      if (!key) {
        issues.push({ path: `${label}: ${use.path}`, message: `reference ${use.reference.reference} matches no entry's fullUrl in this bundle` });
        continue;
      }
      const type = key.split("/")[0] as TResourceType;
      if (!use.allowed.includes(type)) {
        issues.push({ path: `${label}: ${use.path}`, message: `must reference ${use.allowed.join(" or ")} (got ${key})` });
        continue;
      }
      if (!targets.has(key)) pending.push({ label, path: use.path, key });
    }
  }
  const wanted = new Map<TResourceType, Set<string>>();
  for (const { key } of pending) {
    const [type, id] = key.split("/") as [TResourceType, string];
    wanted.set(type, (wanted.get(type) ?? new Set()).add(id));
  }
  for (const [type, ids] of wanted) {
    for (const table of TABLES_BY_TYPE[type]) {
      for (const row of await findByFhirId(tx, table, [...ids], false, pg)) targets.set(`${type}/${row.fhirId}`, { id: row.id, table });
    }
  }
  for (const { label, path, key } of pending) {
    if (!targets.has(key)) issues.push({ path: `${label}: ${path}`, message: `reference ${key} not found (neither in this file nor in the database)` });
  }
  throwIfIssues(issues);

  return { rows, targets, aliases };
}
