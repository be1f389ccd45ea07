// POST /api/fhir/auth/token – SMART Backend Services token endpoint (client_credentials with a
// signed JWT assertion). Answers application/json (RFC 6749), errors included. Rate limited per
// client address with the API's limiter (the caller is not known until the assertion is checked).
import { randomUUID } from "node:crypto";

import { requestMetaFrom } from "@/lib/audit/request-meta";
import { env } from "@/lib/env";
import { fhirBaseUrl } from "@/lib/fhir/api/fhir-route";
import { exchangeClientAssertion, TokenRequestError } from "@/lib/fhir/smart/exchange-client-assertion";
import { AppError } from "@/lib/errors/app-error";
import { logger } from "@/lib/logger";
import { limitApiRequest, withRateLimitHeaders, type TRateLimitState } from "@/lib/rate-limit/api-rate-limit";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const HEADERS = { "Cache-Control": "no-store", Pragma: "no-cache" };
const MAX_FORM_BYTES = 20_000;

export async function POST(request: Request) {
  const requestId = randomUUID();
  let rateLimit: TRateLimitState | null = null;
  const error = (status: number, code: string, description: string, headers: Record<string, string> = {}) =>
    withRateLimitHeaders(Response.json({ error: code, error_description: description }, { status, headers: { ...HEADERS, ...headers, "X-Request-Id": requestId } }), rateLimit);
  try {
    const meta = requestMetaFrom(request, requestId, "fhir");
    // Counted before anything is read, so a flood of assertions costs no signature checks.
    rateLimit = await limitApiRequest({ address: meta.ipAddress });
    if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers.get("content-type") ?? "")) return error(400, "invalid_request", "send the request as application/x-www-form-urlencoded");
    const text = await request.text();
    if (text.length > MAX_FORM_BYTES) return error(400, "invalid_request", "the request is too large");
    const tokenUrl = `${fhirBaseUrl(request, env().APP_URL ?? env().NEXTAUTH_URL)}/auth/token`;
    const token = await exchangeClientAssertion(new URLSearchParams(text), tokenUrl, meta);

    return withRateLimitHeaders(Response.json(token, { headers: { ...HEADERS, "X-Request-Id": requestId } }), rateLimit);
  } catch (caught) {
    // RFC 6749 defines no "too many requests" code; "slow_down" is the registered OAuth one (RFC 8628).
    if (caught instanceof AppError && caught.code === "RATE_LIMITED") {
      return error(429, "slow_down", caught.message, { ...caught.headers, "Retry-After": String(caught.retryAfterSeconds ?? 60) });
    }
    if (caught instanceof TokenRequestError) return error(caught.status, caught.error, caught.description);
    logger.error("unhandled error at the FHIR token endpoint", { requestId, error: caught });
    return error(500, "server_error", `something went wrong on our side (request ${requestId})`);
  }
}
