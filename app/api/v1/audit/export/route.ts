// GET /api/v1/audit/export – admins: the filtered audit records as a streamed CSV (itself audited).
import { Readable } from "node:stream";

import { exportAuditCsv } from "@/lib/audit/export-audit-csv";
import { ZAuditLogFilters } from "@/lib/audit/find-audit-logs";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  policy: { action: "audit.read" },
  query: ZAuditLogFilters,
  handler: async ({ actor, query, meta }) => {
    const { stream, fileName } = await exportAuditCsv({ filters: query, actorId: actor.id, meta });

    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${fileName}"`, "Cache-Control": "no-store" },
    });
  },
});
