// GET /api/fhir/{type}/{id} – read one resource; 404 for what does not exist or the caller may not see.
import { fhirBody, fhirRoute } from "@/lib/fhir/api/fhir-route";
import { formatOf } from "@/lib/fhir/api/parse-search-request";
import { readFhir } from "@/lib/fhir/api/read-fhir";
import { invalidSearch } from "@/lib/fhir/api/search-parameters";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = fhirRoute<{ type: string; id: string }>(async ({ params, request, caller, meta }) => {
  if (formatOf(new URL(request.url).searchParams.get("_format")) !== "json") throw invalidSearch("_format", "a read is served as JSON only");
  const body = await readFhir({ caller, resourceType: params.type, id: params.id, meta });

  return fhirBody(body);
});
