// GET /api/v1/export/jobs?status=&patient_id=&limit= – the caller's export jobs (admins: all).
import { authedRoute, json } from "@/lib/http/route";
import { searchParamsToObject } from "@/lib/http/validation";
import { listExportJobs } from "@/lib/reports/list-export-jobs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ request, actor }) => json(await listExportJobs(actor, searchParamsToObject(new URL(request.url).searchParams))));
