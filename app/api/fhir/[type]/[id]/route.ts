// GET /api/fhir/{type}/{id} – read one resource; 404 for what does not exist or the caller may not see.
// POST /api/fhir/{type}/_search – search with the parameters in a form-encoded body (kept out of URLs and logs).
// `_search` lives here because Next treats a folder named `_search` as private (never routed).
import { fhirBody, fhirRoute } from "@/lib/fhir/api/fhir-route";
import { formatOf } from "@/lib/fhir/api/parse-search-request";
import { readFhir } from "@/lib/fhir/api/read-fhir";
import { readSearchForm } from "@/lib/fhir/api/read-search-form";
import { invalidSearch } from "@/lib/fhir/api/search-parameters";
import { searchResponse } from "@/lib/fhir/api/search-response";
import { AppError } from "@/lib/errors/app-error";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = fhirRoute<{ type: string; id: string }>(async ({ params, request, caller, meta }) => {
  if (formatOf(new URL(request.url).searchParams.get("_format")) !== "json") throw invalidSearch("_format", "a read is served as JSON only");
  const body = await readFhir({ caller, resourceType: params.type, id: params.id, meta });

  return fhirBody(body);
});

export const POST = fhirRoute<{ type: string; id: string }>(async ({ params, request, caller, meta }) => {
  if (params.id !== "_search") throw new AppError("METHOD_NOT_ALLOWED", "This server is read-only: POST is accepted at [type]/_search only");

  return searchResponse(request, caller, params.type, await readSearchForm(request), meta);
});
