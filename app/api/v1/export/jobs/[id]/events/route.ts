// GET /api/v1/export/jobs/{id}/events – Server-Sent Events with the job's progress until it finishes.
import { route, ZIdParams } from "@/lib/http/route";
import { getJobForActorOrThrow } from "@/lib/jobs/job-access";
import { jobEventStream } from "@/lib/jobs/job-events";
import { toJobView } from "@/lib/reports/export-job-view";
import { getSettings } from "@/lib/settings/settings";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  params: ZIdParams,
  handler: async ({ request, actor, params, meta }) => {
    await getJobForActorOrThrow(actor, params.id, "job.read", meta);
    const { link_lifetime_hours: linkLifetimeHours } = await getSettings();

    return jobEventStream(params.id, { lastEventId: request.headers.get("last-event-id"), signal: request.signal, view: (job) => toJobView(job, { linkLifetimeHours, request }) });
  },
});
