// GET /api/v1/admin/fhir-sources – admins: the FHIR sources pulled from, with each one's last sync
// and watermark (never a token or key). POST – register one (outbound rules checked; audited
// fhir_source_registered).
import { listFhirSources, registerFhirSource } from "@/lib/fhir/sources/fhir-sources";
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The service validates the body itself (it is shared with the portal page).
export const GET = route({ auth: "both", policy: { action: "fhir-source.manage" }, handler: async ({ actor, meta }) => json(await listFhirSources(actor, meta)) });

export const POST = route({
  auth: "both",
  policy: { action: "fhir-source.manage" },
  body: ZJsonObject,
  handler: async ({ actor, body, meta }) => json(await registerFhirSource(actor, body, meta), 201),
});
