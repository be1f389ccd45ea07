// GET /api/fhir/{type}/{id} – read one resource; 404 for what does not exist or the caller may not see.
// POST /api/fhir/{type}/_search – search with the parameters in a form-encoded body (kept out of URLs and logs).
// GET|POST /api/fhir/Patient/$export – Bulk Data patient-level export kick-off.
// `_search` lives here because Next treats a folder named `_search` as private (never routed).
import { AppError } from "@/lib/errors/app-error";
import { fhirBody, fhirRoute } from "@/lib/fhir/api/fhir-route";
import { formatOf } from "@/lib/fhir/api/parse-search-request";
import { readFhir } from "@/lib/fhir/api/read-fhir";
import { readSearchForm } from "@/lib/fhir/api/read-search-form";
import { invalidSearch } from "@/lib/fhir/api/search-parameters";
import { searchResponse } from "@/lib/fhir/api/search-response";
import { EXPORT_OPERATION, kickOffResponse } from "@/lib/fhir/bulk/bulk-responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type TParams = { type: string; id: string };

const isPatientExport = (params: TParams) => params.type === "Patient" && params.id === EXPORT_OPERATION;

export const GET = fhirRoute<TParams>(async (ctx) => {
  if (isPatientExport(ctx.params)) return kickOffResponse(ctx, "patient");
  if (formatOf(new URL(ctx.request.url).searchParams.get("_format")) !== "json") throw invalidSearch("_format", "a read is served as JSON only");

  return fhirBody(await readFhir({ caller: ctx.caller, resourceType: ctx.params.type, id: ctx.params.id, meta: ctx.meta }));
});

export const POST = fhirRoute<TParams>(async (ctx) => {
  if (isPatientExport(ctx.params)) return kickOffResponse(ctx, "patient");
  if (ctx.params.id !== "_search") throw new AppError("METHOD_NOT_ALLOWED", "This server is read-only: POST is accepted at [type]/_search and the $export operations");

  return searchResponse(ctx.request, ctx.caller, ctx.params.type, await readSearchForm(ctx.request), ctx.meta);
});
