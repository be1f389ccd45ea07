// GET /api/v1/admin/fhir-clients – admins: SMART Backend Services clients. POST – register one
// ({name, role, pii_reason?, jwks_url? | jwks?, scopes}); the answer carries its client_id.
import { listFhirClients, registerFhirClient } from "@/lib/fhir/smart/fhir-clients";
import { authedRoute, json, readJsonBody } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ actor, meta }) => json(await listFhirClients(actor, meta)));

export const POST = authedRoute(async ({ request, actor, meta }) => json(await registerFhirClient(actor, await readJsonBody(request), meta), 201));
