import type { TReportContext } from "@/lib/reports/report-context.types";

/** JSON output is the context itself: already scoped, sectioned and redacted by buildReportContext. */
export function writeReportJson(context: TReportContext): Buffer {
  return Buffer.from(`${JSON.stringify(context, null, 2)}\n`, "utf8");
}
