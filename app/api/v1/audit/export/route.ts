// GET /api/v1/audit/export – admins: the filtered audit records as a streamed CSV (itself audited).
import { Readable } from "node:stream";

import { exportAuditCsv } from "@/lib/audit/export-audit-csv";
import { ZAuditLogFilters } from "@/lib/audit/find-audit-logs";
import { authorize } from "@/lib/auth/authorize";
import { authedRoute } from "@/lib/http/route";
import { parseOrThrow, searchParamsToObject } from "@/lib/http/validation";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ request, actor, meta }) => {
  await authorize(actor, { action: "audit.read" }, { meta });
  const filters = parseOrThrow(ZAuditLogFilters, searchParamsToObject(new URL(request.url).searchParams), "Invalid query");
  const { stream, fileName } = await exportAuditCsv({ filters, actorId: actor.id, meta });

  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
    },
  });
});
