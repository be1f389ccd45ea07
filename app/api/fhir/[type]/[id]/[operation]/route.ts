// GET|POST /api/fhir/Group/{id}/$export – Bulk Data export of a Group's patients (an organization's, or a caseload).
import { AppError } from "@/lib/errors/app-error";
import { fhirRoute } from "@/lib/fhir/api/fhir-route";
import { EXPORT_OPERATION, kickOffResponse } from "@/lib/fhir/bulk/bulk-responses";
import { GROUP_TYPE } from "@/lib/fhir/bulk/groups";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type TParams = { type: string; id: string; operation: string };

const handler = fhirRoute<TParams>(async (ctx) => {
  if (ctx.params.type !== GROUP_TYPE || ctx.params.operation !== EXPORT_OPERATION) throw new AppError("NOT_FOUND", "Operations: Group/{id}/$export (and $export, Patient/$export)");

  return kickOffResponse(ctx, "group", ctx.params.id);
});

export { handler as GET, handler as POST };
