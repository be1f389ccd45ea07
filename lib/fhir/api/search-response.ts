// One search's HTTP answer, for GET [type] and POST [type]/_search alike.
import { env } from "@/lib/env";
import { fhirBaseUrl, fhirBody, type TFhirCaller } from "@/lib/fhir/api/fhir-route";
import { isStrictHandling } from "@/lib/fhir/api/parse-search-request";
import { searchFhir } from "@/lib/fhir/api/search-fhir";
import type { TRequestMeta } from "@/lib/audit/request-meta";

export async function searchResponse(request: Request, caller: TFhirCaller, resourceType: string, query: URLSearchParams, meta: TRequestMeta) {
  const result = await searchFhir({ caller, resourceType, query, isStrict: isStrictHandling(request), baseUrl: fhirBaseUrl(request, env().APP_URL ?? env().NEXTAUTH_URL), meta });
  if (result.contentType === "json") return fhirBody(result.body);

  return new Response(result.body, { headers: { "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store", ...(result.next ? { Link: `<${result.next}>; rel="next"` } : {}) } });
}
