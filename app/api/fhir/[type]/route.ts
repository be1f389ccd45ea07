// GET /api/fhir/{type}?... – search (identified for therapists' patients and admins, de-identified for analysts).
import { env } from "@/lib/env";
import { fhirBaseUrl, fhirBody, fhirRoute } from "@/lib/fhir/api/fhir-route";
import { isStrictHandling } from "@/lib/fhir/api/parse-search-request";
import { searchFhir } from "@/lib/fhir/api/search-fhir";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = fhirRoute<{ type: string }>(async ({ request, params, caller, meta }) => {
  const query = new URL(request.url).searchParams;
  const result = await searchFhir({ caller, resourceType: params.type, query, isStrict: isStrictHandling(request), baseUrl: fhirBaseUrl(request, env().APP_URL ?? env().NEXTAUTH_URL), meta });

  return result.contentType === "csv"
    ? new Response(result.body, { headers: { "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store", ...(result.next ? { Link: `<${result.next}>; rel="next"` } : {}) } })
    : fhirBody(result.body);
});
