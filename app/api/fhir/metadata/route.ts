// GET /api/fhir/metadata – the CapabilityStatement (public, as FHIR clients expect).
import { env } from "@/lib/env";
import { buildCapabilityStatement } from "@/lib/fhir/api/capability-statement";
import { fhirBaseUrl, fhirJson, publicFhirRoute } from "@/lib/fhir/api/fhir-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = publicFhirRoute(async ({ request }) => fhirJson(buildCapabilityStatement(fhirBaseUrl(request, env().APP_URL ?? env().NEXTAUTH_URL), { name: "CareExport", version: "0.1.0" })));
