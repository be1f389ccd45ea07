// GET /api/v1/export/jobs/{id} – status, progress and, once completed, a signed download_url.
// DELETE /api/v1/export/jobs/{id} – removes the job and its file (cancels it if still running).
import { json } from "@/lib/http/responses";
import { route, ZIdParams } from "@/lib/http/route";
import { deleteJob } from "@/lib/jobs/delete-job";
import { getExportJob } from "@/lib/reports/get-export-job";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ auth: "both", params: ZIdParams, handler: async ({ request, actor, params, meta }) => json(await getExportJob(actor, params.id, meta, request)) });

export const DELETE = route({
  auth: "both",
  params: ZIdParams,
  handler: async ({ actor, params, meta }) => {
    await deleteJob(actor, params.id, meta);

    return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
  },
});
