// GET /api/v1/audit/patients/{id}/access-report?format=csv|pdf – admins: who opened this patient's
// record, from the audit trail (itself audited as audit_exported).
import { z } from "zod";

import { patientAccessReport } from "@/lib/audit/patient-access-report";
import { route, ZIdParams } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZReportQuery = z.object({ format: z.enum(["csv", "pdf"], "must be csv or pdf").default("pdf") });

export const GET = route({
  auth: "both",
  policy: { action: "audit.read" },
  params: ZIdParams,
  query: ZReportQuery,
  handler: async ({ actor, params, query, meta }) => {
    const report = await patientAccessReport({ patientId: params.id, format: query.format, actorId: actor.id, meta });

    return new Response(new Uint8Array(report.body), {
      headers: { "Content-Type": report.contentType, "Content-Disposition": `attachment; filename="${report.fileName}"`, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" },
    });
  },
});
