// GET    /api/v1/export/scheduled/{id} – one schedule with its run history.
// PATCH  /api/v1/export/scheduled/{id} – pause / resume (is_active) or edit.
// DELETE /api/v1/export/scheduled/{id} – cancel the schedule.
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { deleteSchedule } from "@/lib/schedules/delete-schedule";
import { getSchedule } from "@/lib/schedules/list-schedules";
import { updateSchedule } from "@/lib/schedules/update-schedule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type TParams = { id: string };

export const GET = authedRoute<TParams>(async ({ params, actor, meta }) => json(await getSchedule(actor, params.id, { meta })));

export const PATCH = authedRoute<TParams>(async ({ request, params, actor, meta }) => {
  const body = await readJsonBody(request);

  return json(await updateSchedule(actor, params.id, body, { meta }));
});

export const DELETE = authedRoute<TParams>(async ({ params, actor, meta }) => json(await deleteSchedule(actor, params.id, { meta })));
