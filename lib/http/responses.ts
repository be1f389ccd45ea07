import { NextResponse } from "next/server";

import { AppError } from "@/lib/errors/app-error";
import { logger } from "@/lib/logger";

/** A JSON response that no cache keeps (every API answer is someone's data). */
export function json(data: unknown, status = 200, headers: Record<string, string> = {}) {
  return NextResponse.json(data, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

/** The API's error body: `{ error, code, issues?, request_id }`; never a stack trace. */
export function errorResponse(error: unknown, requestId: string, extraHeaders: Record<string, string> = {}): Response {
  const headers: Record<string, string> = { "X-Request-Id": requestId, "Cache-Control": "no-store", ...extraHeaders };
  if (error instanceof AppError) {
    Object.assign(headers, error.headers);
    if (error.retryAfterSeconds) headers["Retry-After"] = String(error.retryAfterSeconds);

    return NextResponse.json({ error: error.message, code: error.code, ...(error.issues ? { issues: error.issues } : {}), request_id: requestId }, { status: error.status, headers });
  }
  // Unexpected: logged server side (ids only, the logger drops messages), a generic 500 outside.
  logger.error("unhandled error in route", { requestId, error });

  return NextResponse.json({ error: "Something went wrong on our side. Try again, or give this id to your administrator.", code: "INTERNAL", request_id: requestId }, { status: 500, headers });
}
