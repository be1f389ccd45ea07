// Step 3 of an import: write the planned rows, table by table in dependency order, inside the
// caller's transaction. Unchanged resources (same canonical raw JSON) are not touched, so a
// re-import leaves updatedAt alone; new and changed rows go in as batched upserts (bulk-upsert.ts).
import { isPostgres, type TTx } from "@/lib/db/client";
import { bulkUpsert, readTableColumns } from "@/lib/fhir/import/bulk-upsert";
import { canonicalJson } from "@/lib/fhir/import/canonical-json";
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

  for (const table of WRITE_ORDER) {
    const writes: Record<string, unknown>[] = [];
    for (const resource of byTable.get(table) ?? []) {
      const count = (counts[resource.type] ??= { created: 0, updated: 0, unchanged: 0 });
      const row = plan.rows.get(resource.key)!;
      const isExisting = row.existingRaw !== undefined;
      if (isExisting && canonicalJson(row.existingRaw) === canonicalJson(resource.raw)) {
        count.unchanged++;
        continue;
      }
      // An existing row was found by this fhirId, so writing it again changes nothing; createdAt is kept.
      writes.push({ id: row.id, fhirId: resource.id, ...mapResource(resource, ctx), raw: resource.raw });
      if (isExisting) count.updated++;
      else count.created++;
    }
    if (writes.length === 0) continue;
    await bulkUpsert(tx, table, writes, { columns: await readTableColumns(tx, table, onPostgres), isPostgres: onPostgres, now });
  }

  return counts;
}
