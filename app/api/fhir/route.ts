// POST /api/fhir – admins import a FHIR R4 batch or transaction Bundle: all or nothing. Entries with
// request.method DELETE remove the resource (lib/fhir/import/delete-resources.ts).
import { env } from "@/lib/env";
import { importFhir } from "@/lib/fhir/import/import-fhir";
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({
  auth: "both",
  policy: { action: "fhir.import" },
  body: ZJsonObject,
  maxBodyBytes: () => env().FHIR_IMPORT_MAX_BYTES,
  handler: async ({ actor, body, meta }) => {
    const result = await importFhir(JSON.stringify(body), { format: "bundle", bundleTypes: ["batch", "transaction"], actorUserId: actor.id, meta, source: { kind: "api", label: actor.email } });

    return json({ imported: result.total, counts: result.counts, deleted: result.deleted });
  },
});
