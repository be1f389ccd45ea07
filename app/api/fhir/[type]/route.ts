// GET /api/fhir/{type}?... – search (identified for therapists' patients and admins, de-identified for analysts).
import { fhirRoute } from "@/lib/fhir/api/fhir-route";
import { searchResponse } from "@/lib/fhir/api/search-response";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = fhirRoute<{ type: string }>(async ({ request, params, caller, meta }) => searchResponse(request, caller, params.type, new URL(request.url).searchParams, meta));
