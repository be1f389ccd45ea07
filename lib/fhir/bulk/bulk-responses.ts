// HTTP answers of the Bulk Data endpoints (the FHIR Asynchronous Request Pattern).
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors/app-error";
import { fhirBaseUrl, fhirJson, type TFhirCaller } from "@/lib/fhir/api/fhir-route";
import { fhirErrorResponse, operationOutcome } from "@/lib/fhir/api/operation-outcome";
import { cancelBulkExport, getBulkStatus, RETRY_AFTER_SECONDS } from "@/lib/fhir/bulk/bulk-export-status";
import { kickOffBulkExport } from "@/lib/fhir/bulk/kick-off-bulk-export";

export const EXPORT_OPERATION = "$export";

type TKickOff = { caller: TFhirCaller; request: Request; meta: TRequestMeta };

export async function kickOffResponse({ caller, request, meta }: TKickOff, level: "system" | "patient" | "group", groupId: string | null = null) {
  const baseUrl = fhirBaseUrl(request, env().APP_URL ?? env().NEXTAUTH_URL);
  const { statusUrl } = await kickOffBulkExport({ caller, request, level, groupId, baseUrl, meta });

  return fhirJson(operationOutcome("information", "informational", `Export accepted: poll ${statusUrl}`), 202, { "Content-Location": statusUrl });
}

export async function statusResponse(caller: TFhirCaller, jobId: string, meta: TRequestMeta) {
  const status = await getBulkStatus(caller, jobId, meta);
  if (status.state === "pending") return new Response(null, { status: 202, headers: { "X-Progress": status.progress, "Retry-After": String(RETRY_AFTER_SECONDS), "Cache-Control": "no-store" } });
  if (status.state === "failed") return fhirJson(status.outcome, 500);

  return new Response(JSON.stringify(status.manifest), { headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...(status.expires ? { Expires: status.expires.toUTCString() } : {}) } });
}

/**
 * DELETE on the status URL. Answered as application/json (an OperationOutcome all the same):
 * common Bulk Data clients do not parse application/fhir+json there.
 */
export async function cancelResponse(caller: TFhirCaller, jobId: string, meta: TRequestMeta) {
  try {
    await cancelBulkExport(caller, jobId, meta);
    return new Response(JSON.stringify(operationOutcome("information", "informational", "The export was cancelled and its files deleted")), { status: 202, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const response = fhirErrorResponse(error, meta.requestId ?? "");
    response.headers.set("Content-Type", "application/json; charset=utf-8");
    return response;
  }
}
