// GET /api/v1/export/download/{id} – the job's file. With ?expires=&signature= (a signed link, for
// report jobs only) no session is needed; otherwise the session or API token must be the job's
// owner (or an admin). Either way the owner must still be allowed the file (policy job.download).
import { authedRoute, publicRoute } from "@/lib/http/route";
import { downloadExportAsActor, downloadExportBySignedLink } from "@/lib/reports/download-export";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type TParams = { id: string };

const bySignedLink = publicRoute<TParams>(async ({ request, params, meta }) => {
  const query = new URL(request.url).searchParams;

  return downloadExportBySignedLink(params.id, query.get("expires"), query.get("signature"), meta);
});

const bySession = authedRoute<TParams>(async ({ request, actor, params, meta }) =>
  downloadExportAsActor(actor, params.id, request.headers.has("authorization") ? "token" : "session", meta),
);

export async function GET(request: Request, context: { params: Promise<TParams> }) {
  const query = new URL(request.url).searchParams;

  return query.has("signature") || query.has("expires") ? bySignedLink(request, context) : bySession(request, context);
}
