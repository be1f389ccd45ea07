// A FHIR search, start to end: access and view, parameters, the page, its Bundle (or CSV), the
// release check of a de-identified page, and the audit record.
import { recordAudit } from "@/lib/audit/record";
import { operationOutcome } from "@/lib/fhir/api/operation-outcome";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { openFhirAccess } from "@/lib/fhir/api/fhir-access";
import { GROUP_TYPE, searchGroups } from "@/lib/fhir/bulk/groups";
import { buildMeasureReports, MEASURE_REPORT_TYPE, MEASURE_TYPE, parseMeasureReportQuery, searchMeasures } from "@/lib/fhir/measures/measure-reports";
import { authorize } from "@/lib/auth/authorize";
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import type { TFhirCaller } from "@/lib/fhir/api/fhir-route";
import { parseSearchRequest, type TSearchRequest } from "@/lib/fhir/api/parse-search-request";
import { searchQuestionnaires } from "@/lib/fhir/api/questionnaire-catalog-search";
import { checkRelease } from "@/lib/fhir/api/release-check";
import { sealCursor } from "@/lib/fhir/api/search-cursor";
import { subset } from "@/lib/fhir/api/subset-elements";
import { csvTableFor, writeSearchCsv } from "@/lib/fhir/api/search-csv";
import { findIncluded, MAX_INCLUDED, patientBoundTypes } from "@/lib/fhir/api/search-includes";
import { countResources, searchResources } from "@/lib/fhir/api/search-resources";

export type TSearchFhirOptions = { caller: TFhirCaller; resourceType: string; query: URLSearchParams; isStrict: boolean; baseUrl: string; meta: TRequestMeta };

function searchLink(baseUrl: string, resourceType: string, request: TSearchRequest, query: URLSearchParams, cursor?: string) {
  const params = new URLSearchParams();
  for (const filter of request.filters) params.append(filter.name, filter.value);
  for (const name of ["_count", "_sort", "_elements", "_format", "_summary", "_include", "_revinclude"]) {
    for (const value of query.getAll(name)) params.append(name, value);
  }
  if (cursor) params.set("_cursor", cursor);
  const text = params.toString();

  return `${baseUrl}/${resourceType}${text ? `?${text}` : ""}`;
}

/** Types without source tables: the instruments, the export Groups, the metrics' Measures and MeasureReports. */
async function searchCatalog(caller: TFhirCaller, resourceType: string, query: URLSearchParams, isStrict: boolean, view: TFhirView, meta: TRequestMeta) {
  if (resourceType === GROUP_TYPE) return searchGroups(caller.actor, query, isStrict, view);
  if (resourceType === MEASURE_TYPE) return searchMeasures(query, isStrict);
  if (resourceType === MEASURE_REPORT_TYPE) {
    // Practice-wide figures: the metrics tier's rule (analysts and admins), as for the metrics dataset.
    await authorize(caller.actor, { action: "dataset.export", tier: "metrics" }, { meta, details: { resourceType, interaction: "search" } });
    return buildMeasureReports(await parseMeasureReportQuery(query, isStrict, view), view);
  }

  return searchQuestionnaires(query, isStrict, view);
}

export async function searchFhir({ caller, resourceType, query, isStrict, baseUrl, meta }: TSearchFhirOptions): Promise<{ body: string; contentType: "json" | "csv"; next: string | null }> {
  const { definition, view, scope } = await openFhirAccess(caller, resourceType, "search", meta);
  const audit = (details: Record<string, unknown>, patientIds: Set<string>) =>
    recordAudit(null, {
      action: "fhir_searched",
      userId: caller.actor.id,
      patientId: patientIds.size === 1 ? [...patientIds][0]! : null,
      // Parameter names, never their values (a name or an identifier searched for is patient data).
      metadata: { resourceType, view: view.isMasked ? "deidentified" : "identified", parameters: [...new Set(query.keys())].sort(), patients: patientIds.size, ...(caller.clientId ? { clientId: caller.clientId } : {}), ...details },
      meta,
    });

  if (!definition) {
    const resources = await searchCatalog(caller, resourceType, query, isStrict, view, meta);
    const bundle = { resourceType: "Bundle", type: "searchset", total: resources.length, link: [{ relation: "self", url: `${baseUrl}/${resourceType}` }], entry: resources.map((resource) => ({ fullUrl: `${baseUrl}/${resourceType}/${resource.id}`, resource, search: { mode: "match" } })) };
    await audit({ returned: resources.length }, new Set());
    return { body: JSON.stringify(bundle), contentType: "json", next: null };
  }

  const sortsByDate = definition.sources.some((source) => source.sortDate !== null);
  const request = parseSearchRequest({ type: definition.type, params: definition.params, sortsByDate }, query, { isStrict, isMasked: view.isMasked, patientBoundTypes: patientBoundTypes() });

  if (request.isSummaryCount) {
    const total = await countResources(definition, request, view, scope);
    await audit({ returned: 0, total }, new Set());
    return { body: JSON.stringify({ resourceType: "Bundle", type: "searchset", total, link: [{ relation: "self", url: searchLink(baseUrl, resourceType, request, query) }] }), contentType: "json", next: null };
  }

  const csv = request.format === "csv" ? csvTableFor(resourceType, request) : null;
  const result = await searchResources(definition, request, view, scope, { onlyModel: csv?.model });
  const next = result.next ? searchLink(baseUrl, resourceType, request, query, sealCursor(result.next)) : null;

  let body: string;
  let includedCount = 0;
  if (csv) {
    body = writeSearchCsv(csv.table, result.rows.map((entry) => entry.row), view);
  } else {
    const resources = request.elements ? result.resources.map((resource) => subset(resource, request.elements!)) : result.resources;
    const { included, isTruncated } = await findIncluded({ request, patientIds: result.patientIds, view, scope, caller, meta });
    includedCount = included.length;
    body = JSON.stringify({
      resourceType: "Bundle",
      type: "searchset",
      ...(result.total !== null ? { total: result.total } : {}),
      link: [{ relation: "self", url: searchLink(baseUrl, resourceType, request, query) }, ...(next ? [{ relation: "next", url: next }] : [])],
      entry: [
        ...resources.map((resource) => ({ fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode: "match" } })),
        ...included.map((resource) => ({ fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode: "include" } })),
        ...(isTruncated ? [{ resource: operationOutcome("warning", "too-costly", `More than ${MAX_INCLUDED} resources would come along with this page: only the first ${MAX_INCLUDED} are included. Use a smaller _count.`), search: { mode: "outcome" } }] : []),
      ],
    });
  }
  await checkRelease(body, view, { userId: caller.actor.id, resourceType, meta });
  await audit({ returned: result.resources.length, ...(includedCount ? { included: includedCount } : {}), format: request.format, ...(request.ignored.length ? { ignored: request.ignored } : {}) }, result.patientIds);

  return { body, contentType: csv ? "csv" : "json", next };
}
