// GET|PATCH|DELETE /api/v1/admin/fhir-clients/{id} – admins: one SMART client (keys, scopes, disabled).
import { getFhirClient, removeFhirClient, updateFhirClient } from "@/lib/fhir/smart/fhir-clients";
import { json } from "@/lib/http/responses";
import { route, ZIdParams, ZJsonObject } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The service asks the policy (fhir-client.manage) and validates the body itself.
export const GET = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await getFhirClient(actor, params.id, meta)) });

export const PATCH = route({ auth: "both", params: ZIdParams, body: ZJsonObject, handler: async ({ actor, params, body, meta }) => json(await updateFhirClient(actor, params.id, body, meta)) });

export const DELETE = route({
  auth: "both",
  params: ZIdParams,
  handler: async ({ actor, params, meta }) => {
    await removeFhirClient(actor, params.id, meta);

    return new Response(null, { status: 204 });
  },
});
