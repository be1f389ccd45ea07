// _include / _revinclude along the patient link: the Patients of a page's resources, or (on a
// Patient search) the resources of the page's patients of the named types. Same scope and view as
// the page itself; each included type is authorized as a search of its own.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { authorizeFhirType } from "@/lib/fhir/api/fhir-access";
import type { TFhirCaller } from "@/lib/fhir/api/fhir-route";
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import type { TSearchRequest } from "@/lib/fhir/api/parse-search-request";
import { findResourceType } from "@/lib/fhir/api/resource-types";
import { scopeWhere, sourcesFor, type TPatientScope, type TRow } from "@/lib/fhir/api/search-resources";
import { ROW_INCLUDE } from "@/lib/fhir/api/serialize-rows";
import type { TFhirResource } from "@/lib/fhir/serialize/fhir-values";

/** At most this many resources come along with one page; past it the Bundle says so in an OperationOutcome entry. */
export const MAX_INCLUDED = 1000;

type TDelegate = { findMany(args: object): Promise<TRow[]> };

/** Types whose resources name a patient by `patient`/`subject` (what _revinclude may name). */
export function patientBoundTypes(): string[] {
  return ["Encounter", "Observation", "QuestionnaireResponse", "Condition", "CarePlan", "Goal", "DocumentReference"].filter((type) => findResourceType(type)?.params.patient);
}

export async function findIncluded(options: { request: TSearchRequest; patientIds: Set<string>; view: TFhirView; scope: TPatientScope; caller: TFhirCaller; meta: TRequestMeta }) {
  const { request, patientIds, view, scope, caller, meta } = options;
  const included: TFhirResource[] = [];
  let isTruncated = false;
  if (!patientIds.size) return { included, isTruncated };
  const ids = [...patientIds];

  const plan: { type: string; isPatient: boolean }[] = [...(request.includesPatients ? [{ type: "Patient", isPatient: true }] : []), ...request.revincludes.map((type) => ({ type, isPatient: false }))];
  for (const { type, isPatient } of plan) {
    const definition = await authorizeFhirType(caller, type, "search", meta);
    if (!definition) continue;
    for (const source of sourcesFor(definition, view)) {
      const room = MAX_INCLUDED - included.length;
      if (room <= 0) {
        isTruncated = true;
        break;
      }
      const where = { AND: [scopeWhere(source, scope), isPatient ? { id: { in: ids } } : { patientId: { in: ids } }] };
      const rows = await (prisma[source.model] as unknown as TDelegate).findMany({ where, include: ROW_INCLUDE[source.model], orderBy: [{ id: "asc" }], take: room + 1 });
      if (rows.length > room) isTruncated = true;
      included.push(...rows.slice(0, room).map((row) => source.serialize(row, view)));
    }
  }

  return { included, isTruncated };
}
