// GET /api/fhir/{type}?... – search (identified for therapists' patients and admins, de-identified for analysts).
// GET|POST /api/fhir/$export – Bulk Data system-level export kick-off (lib/fhir/bulk).
import { AppError } from "@/lib/errors/app-error";
import { fhirRoute } from "@/lib/fhir/api/fhir-route";
import { searchResponse } from "@/lib/fhir/api/search-response";
import { EXPORT_OPERATION, kickOffResponse } from "@/lib/fhir/bulk/bulk-responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = fhirRoute<{ type: string }>(async (ctx) => {
  if (ctx.params.type === EXPORT_OPERATION) return kickOffResponse(ctx, "system");

  return searchResponse(ctx.request, ctx.caller, ctx.params.type, new URL(ctx.request.url).searchParams, ctx.meta);
});

export const POST = fhirRoute<{ type: string }>(async (ctx) => {
  if (ctx.params.type !== EXPORT_OPERATION) throw new AppError("METHOD_NOT_ALLOWED", "This server is read-only: POST is accepted at [type]/_search and the $export operations");

  return kickOffResponse(ctx, "system");
});
