// GET /api/v1/export/jobs?status=&patient_id=&limit= – the caller's export jobs (admins: all).
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";
import { listExportJobs, ZListExportJobsQuery } from "@/lib/reports/list-export-jobs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ auth: "both", query: ZListExportJobsQuery, handler: async ({ request, actor, query }) => json(await listExportJobs(actor, query, request)) });
