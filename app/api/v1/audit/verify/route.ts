// GET /api/v1/audit/verify – admins: walks the hash chain from the latest retention checkpoint.
import { verifyAuditTrail } from "@/lib/audit/purge-audit";
import { authorize } from "@/lib/auth/authorize";
import { authedRoute, json } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ actor, meta }) => {
  await authorize(actor, { action: "audit.read" }, { meta });

  return json(await verifyAuditTrail({ actorId: actor.id, meta }));
});
