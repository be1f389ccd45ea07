// POST /api/v1/export/insurance-report – queues an insurance_report export; 202 {job_id, status, estimated_completion}.
import { reportExportRoute } from "@/app/api/v1/export/report-export-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = reportExportRoute("insurance_report");
