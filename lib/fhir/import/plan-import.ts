// Step 2 of an import, inside the write transaction but before any write: find which
// resources already exist (by FHIR id), give new ones their row id, and resolve every
// reference to a row id, in the file or in the database. A few bulk queries per table,
// never one query per reference.
import { randomBytes } from "node:crypto";

import { isPostgres, type TTx } from "@/lib/db/client";
import { CARE_PLAN_CATEGORY } from "@/lib/fhir/fhir-conventions";
import { modelTableName } from "@/lib/fhir/import/bulk-upsert";
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

/** FHIR ids per lookup query: well under both databases' bind-parameter limits. */
const LOOKUP_CHUNK = 5_000;

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
  /** Per in-file resource key: its row id, and the stored raw resource when it already exists. */
  rows: Map<string, TRowTarget & { existingRaw?: unknown }>;
  /** Every resolvable key (in the file or the database) -> its row. */
  targets: Map<string, TRowTarget>;
  /** Bundle fullUrl -> key, for urn:uuid references. */
  aliases: Map<string, string>;
};

/**
 * The rows of `table` with these FHIR ids, in raw SQL: through the model API the query engine's
 * per-row decoding cost more than the query. `raw` comes back parsed (Prisma decodes Json columns
 * of raw queries; a driver that hands back text is parsed here).
 */
async function findByFhirId(tx: TTx, table: TTable, fhirIds: string[], withRaw: boolean) {
  const found: { id: string; fhirId: string; raw?: unknown }[] = [];
  const onPostgres = isPostgres();
  for (let start = 0; start < fhirIds.length; start += LOOKUP_CHUNK) {
    const chunk = fhirIds.slice(start, start + LOOKUP_CHUNK);
    const slots = chunk.map((_, index) => (onPostgres ? `$${index + 1}` : "?")).join(", ");
    const rows = await tx.$queryRawUnsafe<{ id: string; fhirId: string; raw?: unknown }[]>(
      `SELECT "id", "fhirId"${withRaw ? `, "raw"` : ""} FROM "${modelTableName(table)}" WHERE "fhirId" IN (${slots})`,
      ...chunk,
    );
    for (const row of rows) found.push(withRaw && typeof row.raw === "string" ? { ...row, raw: JSON.parse(row.raw) } : row);
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
  for (const [table, group] of byTable) {
    const existing = new Map((await findByFhirId(tx, table, group.map((resource) => resource.id), true)).map((row) => [row.fhirId, row]));
    for (const resource of group) {
      const found = existing.get(resource.id);
      const row = found ? { id: found.id, table, existingRaw: found.raw } : { id: newRowId(), table };
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
      for (const row of await findByFhirId(tx, table, [...ids], false)) targets.set(`${type}/${row.fhirId}`, { id: row.id, table });
    }
  }
  for (const { label, path, key } of pending) {
    if (!targets.has(key)) issues.push({ path: `${label}: ${path}`, message: `reference ${key} not found (neither in this file nor in the database)` });
  }
  throwIfIssues(issues);

  return { rows, targets, aliases };
}
