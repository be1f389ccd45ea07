// A report export (progress report, session notes, treatment summary, full record, insurance
// report): one patient's document or a ZIP of session notes, in the asked format.
import { z } from "zod";

import { defineJob, exponentialBackoff } from "@/lib/jobs/define-job";
import { REPORT_EXPORT_TYPES, REPORT_REQUEST_SCHEMAS, type TReportRequest } from "@/lib/reports/report-requests";

/** The validated request tagged with its export type, checked by that type's own request schema. */
export const ZReportJobPayload = z.looseObject({ export_type: z.enum(REPORT_EXPORT_TYPES) }).transform((value, ctx): TReportRequest => {
  const { export_type: exportType, ...body } = value;
  const parsed = (REPORT_REQUEST_SCHEMAS[exportType] as z.ZodType).safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  }

  return { export_type: exportType, ...(parsed.data as object) } as TReportRequest;
});

export const reportJob = defineJob({
  kind: "report",
  version: 1,
  payload: ZReportJobPayload,
  produces: "file",
  retry: { maxAttempts: 3, backoffMs: exponentialBackoff(5_000) },
  loadHandler: async () => (await import("@/lib/reports/report-job.handler")).handleReportJob,
});
