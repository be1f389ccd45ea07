// GET /api/v1/export/download/{id} – the job's file. With ?expires=&signature= (a signed link, for
// report jobs only) no session is needed; otherwise the session or API token must be the job's
// owner (or an admin). Either way the owner must still be allowed the file (policy job.download).
import { z } from "zod";

import { route, ZIdParams } from "@/lib/http/route";
import { downloadExportAsActor, downloadExportBySignedLink } from "@/lib/reports/download-export";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZSignedLinkQuery = z.object({ expires: z.string().max(20).optional(), signature: z.string().max(200).optional() });

const bySignedLink = route({
  auth: "none",
  params: ZIdParams,
  query: ZSignedLinkQuery,
  handler: async ({ params, query, meta }) => downloadExportBySignedLink(params.id, query.expires ?? null, query.signature ?? null, meta),
});

/** `?disposition=inline` opens a PDF in the browser tab instead of saving it. */
const ZSessionQuery = z.object({ disposition: z.enum(["inline", "attachment"], "must be inline or attachment").optional() });

const bySession = route({
  auth: "both",
  params: ZIdParams,
  query: ZSessionQuery,
  handler: async ({ actor, via, params, query, meta }) => downloadExportAsActor(actor, params.id, via, meta, { isInline: query.disposition === "inline" }),
});

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  const query = new URL(request.url).searchParams;

  return query.has("signature") || query.has("expires") ? bySignedLink(request, context) : bySession(request, context);
}
