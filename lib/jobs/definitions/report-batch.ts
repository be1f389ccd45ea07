// A batch report: one report type for many patients (a caseload, a selection, an organization),
// one ZIP of per-patient files or one combined PDF, each patient's access checked again as it is reached.
import { z } from "zod";

import { AppError } from "@/lib/errors/app-error";
import { defineJob, exponentialBackoff } from "@/lib/jobs/define-job";
import { parseBatchReportRequest, type TBatchReportRequest } from "@/lib/reports/batch-report-request";

/** The stored request ({ report, selection }), checked by the same parser as the API body. */
export const ZBatchReportJobPayload = z
  .object({ report: z.record(z.string(), z.unknown()), selection: z.record(z.string(), z.unknown()) })
  .transform((value, ctx): TBatchReportRequest => {
    try {
      return parseBatchReportRequest({ ...value.report, ...value.selection });
    } catch (error) {
      ctx.addIssue({ code: "custom", message: error instanceof AppError ? error.message : "is not a valid batch request" });
      return z.NEVER;
    }
  });

export const reportBatchJob = defineJob({
  kind: "report_batch",
  version: 1,
  payload: ZBatchReportJobPayload,
  produces: "file",
  retry: { maxAttempts: 3, backoffMs: exponentialBackoff(5_000) },
  loadHandler: async () => (await import("@/lib/reports/batch-report-job.handler")).handleBatchReportJob,
});
