// GET /api/v1/datasets/exports/{id}/download – the ZIP, to a signed-in user or API token only: the
// job's creator while still allowed its tier, or an admin (audited). No signed links: whoever held
// such a URL would get the dataset, identified or not, without naming themselves.
import { route, ZIdParams } from "@/lib/http/route";
import { downloadExportAsActor } from "@/lib/reports/download-export";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  params: ZIdParams,
  handler: async ({ actor, via, params, meta }) => downloadExportAsActor(actor, params.id, via, meta, { kind: "dataset" }),
});
