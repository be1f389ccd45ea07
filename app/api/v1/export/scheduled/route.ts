// POST /api/v1/export/scheduled – create a schedule (201 with next_run_at).
// GET  /api/v1/export/scheduled – the caller's schedules (admins: all) with last and next runs.
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { listSchedules } from "@/lib/schedules/list-schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({
  auth: "both",
  // Validated by createSchedule (shared with the CLI), per kind of schedule.
  body: ZJsonObject,
  handler: async ({ actor, body, meta }) => json(await createSchedule(actor, body, { meta }), 201),
});

export const GET = route({ auth: "both", handler: async ({ actor }) => json({ schedules: await listSchedules(actor) }) });
