// POST /api/v1/export/scheduled/{id}/run – run the schedule now (its owner or an admin): an extra
// run, delivered as usual; the schedule's next run does not move.
import { json } from "@/lib/http/responses";
import { route, ZIdParams } from "@/lib/http/route";
import { runScheduleNow } from "@/lib/schedules/run-schedule-now";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await runScheduleNow(actor, params.id, { meta }), 202) });
