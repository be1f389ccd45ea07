// POST /api/v1/export/batch – queues one report type for many patients (a caseload, a list of
// patients, an organization or the practice): 202 {job_id, status, estimated_completion, patient_count}.
// The job is followed and downloaded like any report job (/api/v1/export/jobs/{id}, /download/{id}).
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";
import { createBatchReportExport } from "@/lib/reports/batch-create-report-export";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({
  auth: "both",
  // Validated by createBatchReportExport (the scheduler sends the same shape).
  body: ZJsonObject,
  handler: async ({ actor, body, meta }) => json(await createBatchReportExport(actor, body, { meta }), 202),
});
