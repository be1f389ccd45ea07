// POST /api/v1/export/session-notes – queues a session_notes export; 202 {job_id, status, estimated_completion}.
import { reportExportRoute } from "@/app/api/v1/export/report-export-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = reportExportRoute("session_notes");
