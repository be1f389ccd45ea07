// POST /api/v1/export/full-record – queues a full_record export; 202 {job_id, status, estimated_completion}.
import { reportExportRoute } from "@/app/api/v1/export/report-export-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = reportExportRoute("full_record");
