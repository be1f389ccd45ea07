// POST /api/v1/admin/fhir-sources/{id}/sync – admins: sync now (a fhir_sync job; 202 with the run
// and its job id, 409 while a run of this source is queued or running).
import { startFhirSync } from "@/lib/fhir/sources/start-fhir-sync";
import { json } from "@/lib/http/responses";
import { route, ZIdParams } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({
  auth: "both",
  policy: { action: "fhir-source.manage" },
  params: ZIdParams,
  handler: async ({ actor, params, meta }) => json(await startFhirSync(actor, params.id, "manual", meta), 202),
});
