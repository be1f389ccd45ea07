// GET|PATCH|DELETE /api/v1/admin/fhir-clients/{id} – admins: one SMART client (keys, scopes, disabled).
import { getFhirClient, removeFhirClient, updateFhirClient } from "@/lib/fhir/smart/fhir-clients";
import { authedRoute, json, readJsonBody } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute<{ id: string }>(async ({ actor, params, meta }) => json(await getFhirClient(actor, params.id, meta)));

export const PATCH = authedRoute<{ id: string }>(async ({ request, actor, params, meta }) => json(await updateFhirClient(actor, params.id, await readJsonBody(request), meta)));

export const DELETE = authedRoute<{ id: string }>(async ({ actor, params, meta }) => {
  await removeFhirClient(actor, params.id, meta);

  return new Response(null, { status: 204 });
});
