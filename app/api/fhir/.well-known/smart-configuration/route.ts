// GET /api/fhir/.well-known/smart-configuration – SMART discovery: the token endpoint and what it accepts.
import { env } from "@/lib/env";
import { buildSmartConfiguration } from "@/lib/fhir/api/capability-statement";
import { fhirBaseUrl, publicFhirRoute } from "@/lib/fhir/api/fhir-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = publicFhirRoute(async ({ request }) => Response.json(buildSmartConfiguration(fhirBaseUrl(request, env().APP_URL ?? env().NEXTAUTH_URL)), { headers: { "Cache-Control": "no-store" } }));
