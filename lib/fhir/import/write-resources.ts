// Step 3 of an import: write the planned rows, table by table in dependency order, inside the
// caller's transaction. Unchanged resources (the same raw JSON, keys in any order) are not
// touched, so a re-import leaves updatedAt alone; new and changed rows go in as batched upserts
// (bulk-upsert.ts). SQLite compares raw here, against the stored text the plan read; PostgreSQL
// sends every row and the upsert itself skips an existing row whose jsonb raw is equal (reading
// 150,000 raw documents back and comparing them in JavaScript took longer than writing them).
import { isPostgres, postgresTransactionConnection, type TTx } from "@/lib/db/client";
import { bulkUpsert, PostgresPipeline, readTableColumns } from "@/lib/fhir/import/bulk-upsert";
import { sameJsonText } from "@/lib/fhir/import/canonical-json";
import type { TParsedResource, TResourceType } from "@/lib/fhir/import/fhir-schemas";
import { mapCareTeam, mapGoal, mapReferralCarePlan, mapTreatmentPlan } from "@/lib/fhir/import/map-care-plans";
import { mapCondition, mapDocumentReference, mapEncounter, mapObservation, mapQuestionnaireResponse } from "@/lib/fhir/import/map-clinical";
import { mapConsent } from "@/lib/fhir/import/map-consent";
import type { TMapContext, TRowData } from "@/lib/fhir/import/map-context";
import { mapLocation, mapOrganization, mapPatient, mapPractitioner } from "@/lib/fhir/import/map-directory";
import { isTreatmentPlan, referenceKey, tableFor, type TImportPlan, type TTable } from "@/lib/fhir/import/plan-import";
import type { TValidResource } from "@/lib/fhir/import/validate-resources";

export type TImportCount = { created: number; updated: number; unchanged: number };
export type TImportCounts = Partial<Record<TResourceType, TImportCount>>;

/** Parents before children: every foreign key points at a table written earlier. */
const WRITE_ORDER: TTable[] = [
  "organization",
  "location",
  "practitioner",
  "patient",
  "encounter",
  "condition",
  "treatmentPlan",
  "carePlan",
  "goal",
  "careTeam",
  "questionnaireResponse",
  "observation",
  "sessionNote",
  "consent",
];

function mapResource(resource: TValidResource, ctx: TMapContext): TRowData {
  const data: TParsedResource = resource.data;
  switch (data.resourceType) {
    case "Organization":
      return mapOrganization(data, ctx);
    case "Location":
      return mapLocation(data, ctx);
    case "Practitioner":
      return mapPractitioner(data, ctx);
    case "Patient":
      return mapPatient(data, ctx);
    case "Encounter":
      return mapEncounter(data, ctx);
    case "Condition":
      return mapCondition(data, ctx);
    case "CarePlan":
      return isTreatmentPlan(data) ? mapTreatmentPlan(data, ctx) : mapReferralCarePlan(data, ctx);
    case "Goal":
      return mapGoal(data, ctx, resource.key);
    case "CareTeam":
      return mapCareTeam(data, ctx);
    case "QuestionnaireResponse":
      return mapQuestionnaireResponse(data, ctx);
    case "Observation":
      return mapObservation(data, ctx);
    case "DocumentReference":
      return mapDocumentReference(data, ctx);
    case "Consent":
      return mapConsent(data, ctx);
  }
}

function mapContext(resources: TValidResource[], plan: TImportPlan): TMapContext {
  const rowId: TMapContext["rowId"] = (reference, table) => {
    const key = reference ? referenceKey(reference, plan.aliases) : undefined;
    const target = key ? plan.targets.get(key) : undefined;

    return target && target.table === table ? target.id : null;
  };
  const goalPlans = new Map<string, string>();
  for (const resource of resources) {
    if (resource.data.resourceType !== "CarePlan" || !isTreatmentPlan(resource.data)) continue;
    const planId = plan.rows.get(resource.key)!.id;
    for (const goal of resource.data.goal ?? []) {
      const goalKey = referenceKey(goal, plan.aliases);
      if (goalKey) goalPlans.set(goalKey, planId);
    }
  }

  return { rowId, goalPlans };
}

export async function writeResources(tx: TTx, resources: TValidResource[], plan: TImportPlan): Promise<TImportCounts> {
  const counts: TImportCounts = {};
  const ctx = mapContext(resources, plan);
  const byTable = new Map<TTable, TValidResource[]>();
  for (const resource of resources) {
    const table = tableFor(resource);
    const list = byTable.get(table);
    if (list) list.push(resource);
    else byTable.set(table, [resource]);
  }
  const onPostgres = isPostgres();
  const now = new Date();
  const connection = onPostgres ? await postgresTransactionConnection(tx) : null;
  const pipeline = connection ? new PostgresPipeline(connection) : null;

  // PostgreSQL: per table (each holds one resource type), the rows the plan found and the rows the
  // upserts inserted or updated, known once its statements have run (see the counts below).
  const tallies: { type: TResourceType; existing: number; created: number; rowCount: number }[] = [];
  // Read before any write: a Prisma query on the transaction would wait behind the pipelined statements.
  const columnsOf = new Map<TTable, Awaited<ReturnType<typeof readTableColumns>>>();
  for (const table of WRITE_ORDER) if (byTable.has(table)) columnsOf.set(table, await readTableColumns(tx, table, onPostgres));
  try {
    for (const table of WRITE_ORDER) {
      const writes: Record<string, unknown>[] = [];
      const resources = byTable.get(table) ?? [];
      if (resources.length === 0) continue;
      const tally = { type: resources[0]!.type, existing: 0, created: 0, rowCount: 0 };
      for (const resource of resources) {
        const count = (counts[resource.type] ??= { created: 0, updated: 0, unchanged: 0 });
        const row = plan.rows.get(resource.key)!;
        if (onPostgres) {
          if (row.exists) tally.existing++;
          else tally.created++;
        } else {
          // The JSON text is not kept for the write: holding it for every row of a table until the
          // table is written made a first import slower (old-space garbage collection) than
          // serializing a changed resource a second time.
          if (row.exists && row.existingRawText !== undefined && sameJsonText(row.existingRawText, JSON.stringify(resource.raw), resource.raw)) {
            count.unchanged++;
            continue;
          }
          if (row.exists) count.updated++;
          else count.created++;
        }
        // An existing row was found by this fhirId, so writing it again changes nothing; createdAt is kept.
        writes.push({ id: row.id, fhirId: resource.id, ...mapResource(resource, ctx), raw: resource.raw });
      }
      if (writes.length === 0) continue;
      tallies.push(tally);
      await bulkUpsert(tx, table, writes, {
        columns: columnsOf.get(table)!,
        isPostgres: onPostgres,
        now,
        pipeline,
        unchangedIf: onPostgres ? "raw" : undefined,
        onWritten: (rowCount) => {
          tally.rowCount += rowCount;
        },
      });
    }
  } catch (error) {
    // Nothing left running on the connection when the caller rolls back; this error is the one to report.
    await pipeline?.settle();
    throw error;
  }
  await pipeline?.flush();

  if (onPostgres) {
    // created: rows the plan did not find (each is inserted); updated: the other rows written;
    // unchanged: existing rows the upsert left alone because their raw was equal.
    for (const { type, existing, created, rowCount } of tallies) {
      const count = counts[type]!;
      count.created += created;
      count.updated += rowCount - created;
      count.unchanged += existing - (rowCount - created);
    }
  }

  return counts;
}
