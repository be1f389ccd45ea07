// GET /api/v1/audit/verify – admins: walks the hash chain from the latest retention checkpoint.
import { verifyAuditTrail } from "@/lib/audit/purge-audit";
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  policy: { action: "audit.read" },
  handler: async ({ actor, meta }) => json(await verifyAuditTrail({ actorId: actor.id, meta })),
});
