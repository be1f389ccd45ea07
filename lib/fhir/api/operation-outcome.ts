// FHIR errors: every failure of the FHIR API is an OperationOutcome (application/fhir+json),
// never HTML or a stack.
import { AppError, type TAppErrorCode } from "@/lib/errors/app-error";
import { logger } from "@/lib/logger";

export const FHIR_JSON = "application/fhir+json; charset=utf-8";

/** FHIR issue-type codes for our error codes (http://hl7.org/fhir/issue-type). */
const ISSUE_CODES: Partial<Record<TAppErrorCode, string>> = {
  INVALID_INPUT: "invalid",
  UNAUTHENTICATED: "login",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not-found",
  GONE: "deleted",
  PAYLOAD_TOO_LARGE: "too-costly",
  UNSUPPORTED_MEDIA_TYPE: "not-supported",
  METHOD_NOT_ALLOWED: "not-supported",
  RATE_LIMITED: "throttled",
  CONFLICT: "conflict",
  INTERNAL: "exception",
};

export function operationOutcome(severity: "error" | "warning" | "information", code: string, diagnostics: string, expression?: string[]) {
  return { resourceType: "OperationOutcome", issue: [{ severity, code, diagnostics, ...(expression?.length ? { expression } : {}) }] };
}

export function fhirErrorResponse(error: unknown, requestId: string): Response {
  const headers: Record<string, string> = { "Content-Type": FHIR_JSON, "Cache-Control": "no-store", "X-Request-Id": requestId };
  if (error instanceof AppError) {
    Object.assign(headers, error.headers);
    if (error.retryAfterSeconds) headers["Retry-After"] = String(error.retryAfterSeconds);
    if (error.code === "UNAUTHENTICATED") headers["WWW-Authenticate"] = 'Bearer realm="fhir"';
    const body = operationOutcome("error", ISSUE_CODES[error.code] ?? "processing", error.message, error.issues?.map((issue) => issue.path));

    return new Response(JSON.stringify(body), { status: error.status, headers });
  }
  logger.error("unhandled error in FHIR route", { requestId, error });
  const body = operationOutcome("error", "exception", `Something went wrong on our side. Give this id to your administrator: ${requestId}`);

  return new Response(JSON.stringify(body), { status: 500, headers });
}
