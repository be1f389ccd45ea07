// GET /api/v1/audit – admins: audit records filtered, sorted and paged on the server.
import { findAuditLogs, ZAuditLogQuery } from "@/lib/audit/find-audit-logs";
import { authorize } from "@/lib/auth/authorize";
import { authedRoute, json } from "@/lib/http/route";
import { parseOrThrow, searchParamsToObject } from "@/lib/http/validation";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ request, actor, meta }) => {
  await authorize(actor, { action: "audit.read" }, { meta });
  const query = parseOrThrow(ZAuditLogQuery, searchParamsToObject(new URL(request.url).searchParams), "Invalid query");

  return json(await findAuditLogs(query));
});
