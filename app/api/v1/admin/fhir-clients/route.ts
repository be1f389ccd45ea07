// GET /api/v1/admin/fhir-clients – admins: SMART Backend Services clients. POST – register one
// ({name, role, pii_reason?, jwks_url? | jwks?, scopes}); the answer carries its client_id.
import { listFhirClients, registerFhirClient } from "@/lib/fhir/smart/fhir-clients";
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The service asks the policy (fhir-client.manage) and validates the body itself.
export const GET = route({ auth: "both", handler: async ({ actor, meta }) => json(await listFhirClients(actor, meta)) });

export const POST = route({ auth: "both", body: ZJsonObject, handler: async ({ actor, body, meta }) => json(await registerFhirClient(actor, body, meta), 201) });
