// DELETE entries of an imported batch/transaction Bundle: the source system removed a resource,
// so CareExport removes its copy, in the import's transaction, and leaves a tombstone (ids only)
// so that the REST API can answer 410 Gone rather than 404. Deleting a Patient removes everything
// of theirs (the schema cascades), and each of those rows gets a tombstone too.
import type { TTx } from "@/lib/db/client";
import { FHIR_ID_RE, RESOURCE_TYPES, type TResourceType } from "@/lib/fhir/import/fhir-schemas";
import { TABLES_BY_TYPE, type TTable } from "@/lib/fhir/import/plan-import";
import type { TRawEntry } from "@/lib/fhir/import/parse-fhir-input";
import type { TValidResource } from "@/lib/fhir/import/validate-resources";
import { AppError, type TIssue } from "@/lib/errors/app-error";

export type TDeletion = { index: number; type: TResourceType; id: string };

/** A patient's own rows, by table, with the FHIR type each is served as (removed with the patient). */
const PATIENT_TABLES: [TTable, TResourceType][] = [
  ["encounter", "Encounter"],
  ["sessionNote", "DocumentReference"],
  ["condition", "Condition"],
  ["treatmentPlan", "CarePlan"],
  ["carePlan", "CarePlan"],
  ["goal", "Goal"],
  ["careTeam", "CareTeam"],
  ["questionnaireResponse", "QuestionnaireResponse"],
  ["observation", "Observation"],
];

/** Ids per statement: well under both databases' bind-parameter limits. */
const TOMBSTONE_CHUNK = 1_000;

const DELETE_URL_RE = /^([A-Z][A-Za-z]+)\/([^/?#]+)$/;

type TRowDelegate = {
  findMany(args: object): Promise<{ id: string; fhirId: string; patientId?: string | null }[]>;
  deleteMany(args: object): Promise<{ count: number }>;
};

const delegate = (tx: TTx, table: TTable) => (tx as unknown as Record<TTable, TRowDelegate>)[table];

/**
 * The DELETE entries, checked: `request.url` must be `Type/id` of a type the import writes
 * (conditional deletes are not supported), and no resource may be both deleted and written.
 */
export function validateDeletions(entries: TRawEntry[], written: TValidResource[]): TDeletion[] {
  const issues: TIssue[] = [];
  const deletions: TDeletion[] = [];
  const writtenKeys = new Set(written.map((resource) => resource.key));
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.deleteUrl === undefined) continue;
    const path = `resource ${entry.index} (DELETE)`;
    const match = DELETE_URL_RE.exec(entry.deleteUrl.replace(/^\//, ""));
    if (!match) {
      issues.push({ path: `${path}.request.url`, message: "must be Type/id (conditional deletes are not supported)" });
      continue;
    }
    const [, type, id] = match as unknown as [string, string, string];
    if (!RESOURCE_TYPES.includes(type as TResourceType)) {
      issues.push({ path: `${path}.request.url`, message: `${type} is not a resource type this import stores` });
      continue;
    }
    if (!FHIR_ID_RE.test(id)) {
      issues.push({ path: `${path}.request.url`, message: "the id must be 1-64 letters, digits, '-' or '.'" });
      continue;
    }
    const key = `${type}/${id}`;
    if (writtenKeys.has(key)) {
      issues.push({ path: `${path}.request.url`, message: `${key} is also written by this Bundle` });
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    deletions.push({ index: entry.index, type: type as TResourceType, id });
  }
  if (issues.length) throw new AppError("INVALID_INPUT", `Invalid import file: ${issues[0]!.path}: ${issues[0]!.message}`, { issues });

  return deletions;
}

type TTombstone = { resourceType: string; fhirId: string; rowId: string; patientId: string | null };

/** Replaces any earlier tombstone of the same type and id: per type, in chunks (a deleted patient can bring thousands). */
async function writeTombstones(tx: TTx, tombstones: TTombstone[], now: Date) {
  const byType = new Map<string, TTombstone[]>();
  for (const tombstone of tombstones) byType.set(tombstone.resourceType, [...(byType.get(tombstone.resourceType) ?? []), tombstone]);
  for (const [resourceType, ofType] of byType) {
    for (let start = 0; start < ofType.length; start += TOMBSTONE_CHUNK) {
      const chunk = ofType.slice(start, start + TOMBSTONE_CHUNK);
      await tx.fhirTombstone.deleteMany({ where: { resourceType, fhirId: { in: chunk.map((tombstone) => tombstone.fhirId) } } });
      await tx.fhirTombstone.createMany({ data: chunk.map((tombstone) => ({ ...tombstone, deletedAt: now })) });
    }
  }
}

/**
 * Removes the named resources (an id the database does not hold is not an error: FHIR's delete is
 * idempotent) and records their tombstones. Returns the count deleted per type, cascades included.
 */
export async function deleteResources(tx: TTx, deletions: TDeletion[]): Promise<Partial<Record<TResourceType, number>>> {
  const counts: Partial<Record<TResourceType, number>> = {};
  const tombstones: TTombstone[] = [];
  const count = (type: TResourceType, n: number) => {
    if (n) counts[type] = (counts[type] ?? 0) + n;
  };
  for (const deletion of deletions) {
    for (const table of TABLES_BY_TYPE[deletion.type]) {
      const isPatientOwned = PATIENT_TABLES.some(([name]) => name === table);
      const rows = await delegate(tx, table).findMany({ where: { fhirId: deletion.id }, select: { id: true, fhirId: true, ...(isPatientOwned ? { patientId: true } : {}) } });
      if (!rows.length) continue;
      const row = rows[0]!;
      if (table === "patient") {
        // The schema cascades a patient's rows away; each gets its tombstone before it goes.
        for (const [childTable, childType] of PATIENT_TABLES) {
          const children = await delegate(tx, childTable).findMany({ where: { patientId: row.id }, select: { id: true, fhirId: true } });
          for (const child of children) tombstones.push({ resourceType: childType, fhirId: child.fhirId, rowId: child.id, patientId: row.id });
          count(childType, children.length);
        }
      }
      tombstones.push({ resourceType: deletion.type, fhirId: row.fhirId, rowId: row.id, patientId: table === "patient" ? row.id : (row.patientId ?? null) });
      await delegate(tx, table).deleteMany({ where: { id: row.id } });
      count(deletion.type, 1);
    }
  }
  await writeTombstones(tx, tombstones, new Date());

  return counts;
}

/** A resource imported again is no longer deleted. */
export async function reviveTombstones(tx: TTx, written: TValidResource[]) {
  const byType = new Map<string, string[]>();
  for (const resource of written) {
    const ids = byType.get(resource.type);
    if (ids) ids.push(resource.id);
    else byType.set(resource.type, [resource.id]);
  }
  if (!byType.size || !(await tx.fhirTombstone.findFirst({ select: { id: true } }))) return;
  for (const [resourceType, ids] of byType) {
    for (let start = 0; start < ids.length; start += 5_000) {
      await tx.fhirTombstone.deleteMany({ where: { resourceType, fhirId: { in: ids.slice(start, start + 5_000) } } });
    }
  }
}
