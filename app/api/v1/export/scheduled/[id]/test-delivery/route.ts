// POST /api/v1/export/scheduled/{id}/test-delivery – send a test delivery (no file) the way the
// schedule delivers: a test email, a signed test notice, or a write check of the folder.
import { json } from "@/lib/http/responses";
import { route, ZIdParams } from "@/lib/http/route";
import { testScheduleDelivery } from "@/lib/schedules/test-schedule-delivery";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await testScheduleDelivery(actor, params.id, meta)) });
