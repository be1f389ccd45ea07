// GET /api/v1/audit – admins: audit records filtered, sorted and paged on the server.
import { findAuditLogs, ZAuditLogQuery } from "@/lib/audit/find-audit-logs";
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  policy: { action: "audit.read" },
  query: ZAuditLogQuery,
  handler: async ({ query }) => json(await findAuditLogs(query)),
});
