// GET/PATCH/DELETE /api/v1/admin/fhir-sources/{id} – admins: one FHIR source; change its URL, auth,
// mode, types or schedule (audited fhir_source_updated); remove it (fhir_source_removed).
import { getFhirSource, removeFhirSource, updateFhirSource } from "@/lib/fhir/sources/fhir-sources";
import { json } from "@/lib/http/responses";
import { route, ZIdParams, ZJsonObject } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const policy = { action: "fhir-source.manage" } as const;

export const GET = route({ auth: "both", policy, params: ZIdParams, handler: async ({ actor, params, meta }) => json(await getFhirSource(actor, params.id, meta)) });

export const PATCH = route({
  auth: "both",
  policy,
  params: ZIdParams,
  body: ZJsonObject,
  handler: async ({ actor, params, body, meta }) => json(await updateFhirSource(actor, params.id, body, meta)),
});

export const DELETE = route({
  auth: "both",
  policy,
  params: ZIdParams,
  handler: async ({ actor, params, meta }) => {
    await removeFhirSource(actor, params.id, meta);

    return new Response(null, { status: 204 });
  },
});
