// The five POST /api/v1/export/<report> endpoints differ only in their report type.
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";
import { createReportExport } from "@/lib/reports/create-report-export";
import type { TReportExportType } from "@/lib/reports/report-context.types";

/** Queues an export of `exportType`: 202 {job_id, status, estimated_completion}. */
export function reportExportRoute(exportType: TReportExportType) {
  return route({
    auth: "both",
    // Validated by createReportExport, after the access checks (the scheduler sends the same shape).
    body: ZJsonObject,
    handler: async ({ actor, body, meta }) => json(await createReportExport(actor, { exportType, body }, { meta }), 202),
  });
}
