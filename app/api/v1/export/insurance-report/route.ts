// POST /api/v1/export/insurance-report – queues a insurance_report export; 202 {job_id, status, estimated_completion}.
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { createReportExport } from "@/lib/reports/create-report-export";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = authedRoute(async ({ request, actor, meta }) => json(await createReportExport(actor, { exportType: "insurance_report", body: await readJsonBody(request) }, { meta }), 202));
