// POST /api/v1/export/scheduled – create a schedule (201 with next_run_at).
// GET  /api/v1/export/scheduled – the caller's schedules (admins: all) with last and next runs.
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { listSchedules } from "@/lib/schedules/list-schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = authedRoute(async ({ request, actor, meta }) => {
  const body = await readJsonBody(request);

  return json(await createSchedule(actor, body, { meta }), 201);
});

export const GET = authedRoute(async ({ actor }) => json({ schedules: await listSchedules(actor) }));
