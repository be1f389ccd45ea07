// GET /api/v1/heartbeat – API token: the last completed import per source and overall, each FHIR
// source's last sync and watermark, and the caller's own schedules' last successful run.
import { getHeartbeat } from "@/lib/heartbeat/get-heartbeat";
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ auth: "token", policy: { action: "heartbeat.read" }, handler: async ({ actor, meta }) => json(await getHeartbeat(actor, meta), 200, { "Cache-Control": "no-store" }) });
