// POST /api/v1/export/progress-report – queues a progress_report export; 202 {job_id, status, estimated_completion}.
import { reportExportRoute } from "@/app/api/v1/export/report-export-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = reportExportRoute("progress_report");
