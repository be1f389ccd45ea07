// GET    /api/v1/export/scheduled/{id} – one schedule with its run history.
// PATCH  /api/v1/export/scheduled/{id} – pause / resume (is_active) or edit.
// DELETE /api/v1/export/scheduled/{id} – cancel the schedule.
import { json } from "@/lib/http/responses";
import { route, ZIdParams, ZJsonObject } from "@/lib/http/route";
import { deleteSchedule } from "@/lib/schedules/delete-schedule";
import { getSchedule } from "@/lib/schedules/list-schedules";
import { updateSchedule } from "@/lib/schedules/update-schedule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await getSchedule(actor, params.id, { meta })) });

export const PATCH = route({
  auth: "both",
  params: ZIdParams,
  // Validated by updateSchedule, once it knows the schedule's kind (its parameters depend on it).
  body: ZJsonObject,
  handler: async ({ actor, params, body, meta }) => json(await updateSchedule(actor, params.id, body, { meta })),
});

export const DELETE = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await deleteSchedule(actor, params.id, { meta })) });
