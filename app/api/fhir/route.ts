// POST /api/fhir – admins import a FHIR R4 batch or transaction Bundle: all or nothing.
import { authorize } from "@/lib/auth/authorize";
import { env } from "@/lib/env";
import { importFhir } from "@/lib/fhir/import/import-fhir";
import { authedRoute, json, readJsonBody } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = authedRoute(async ({ request, actor, meta }) => {
  await authorize(actor, { action: "fhir.import" }, { meta });
  const body = await readJsonBody(request, env().FHIR_IMPORT_MAX_BYTES);
  const result = await importFhir(JSON.stringify(body), { format: "bundle", bundleTypes: ["batch", "transaction"], actorUserId: actor.id, meta });

  return json({ imported: result.total, counts: result.counts });
});
