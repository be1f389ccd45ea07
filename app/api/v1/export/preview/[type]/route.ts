// POST /api/v1/export/preview/{type} – the report as it would print (PDF, inline), with the same
// body as POST /api/v1/export/{type}: patient, period, sections, template. Nothing is queued.
import { z } from "zod";

import { route, ZJsonObject } from "@/lib/http/route";
import { previewReport } from "@/lib/reports/preview-report";
import { REPORT_EXPORT_TYPES } from "@/lib/reports/report-requests";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ENDPOINT_TYPES = Object.fromEntries(REPORT_EXPORT_TYPES.map((type) => [type.replaceAll("_", "-"), type])) as Record<string, (typeof REPORT_EXPORT_TYPES)[number]>;
const ZPreviewParams = z.object({ type: z.enum(Object.keys(ENDPOINT_TYPES) as [string, ...string[]], `must be one of ${Object.keys(ENDPOINT_TYPES).join(", ")}`) });

export const POST = route({
  auth: "both",
  params: ZPreviewParams,
  body: ZJsonObject,
  handler: async ({ actor, params, body, meta }) => {
    const preview = await previewReport(actor, ENDPOINT_TYPES[params.type]!, body, meta);

    return new Response(new Uint8Array(preview.body), {
      status: 200,
      headers: { "Content-Type": preview.contentType, "Content-Disposition": `inline; filename="${preview.fileName}"`, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" },
    });
  },
});
