// What proxy.ts does for every request before Next routes it (pages and API alike):
//  1. a path that is not valid percent-encoded UTF-8 ("%FF", a lone surrogate "%ED%A0%80"), or
//     that decodes to NUL, is a 400 here (JSON for the API, an OperationOutcome for FHIR): Next
//     itself would answer a text/plain 500 while decoding the dynamic segment; the same for a
//     query parameter (pages read theirs without the route wrapper);
//  2. a body larger than Next hands through a proxy is a 413, never silently truncated;
//  3. the request id is the server's own (REQUEST_ID_HEADER, overwriting any a client sent);
//  4. X-Forwarded-For moves to FORWARDED_CHAIN_HEADER and is removed, so Next refills it with the
//     connection's peer, and lib/audit/request-meta.ts believes the chain only by TRUST_PROXY;
//  5. a fresh CSP nonce: the policy goes on the request (Next reads the nonce from it for its own
//     scripts) and on the response, with HSTS when served over https.
import { randomUUID } from "node:crypto";

import { NextResponse, type NextRequest } from "next/server";

import { FORWARDED_CHAIN_HEADER, REQUEST_ID_HEADER } from "@/lib/audit/request-meta";
import { FHIR_JSON, operationOutcome } from "@/lib/fhir/api/operation-outcome";
import { AppError } from "@/lib/errors/app-error";
import { hasUnsafeText, parseQueryString } from "@/lib/input/input-guards";
import { contentSecurityPolicy, makeNonce, STRICT_TRANSPORT_SECURITY } from "@/lib/http/security-headers";

/**
 * The most a request body may be when it passes through the proxy: Next buffers the body for it
 * and cuts it off past this size. Keep equal to experimental.proxyClientMaxBodySize in
 * next.config.ts. It covers FHIR_IMPORT_MAX_BYTES' default (50 MB).
 */
export const PROXY_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The longest X-Forwarded-For chain kept (a client can send anything here). */
const MAX_FORWARDED_CHAIN = 2000;

export type TProxyOptions = { isDevelopment: boolean };

/** Why the path cannot be read, or null when it can. */
export function pathProblem(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return "is not valid percent-encoded UTF-8";
  }

  return hasUnsafeText(decoded) ? "must not contain NUL characters" : null;
}

function refuse(request: NextRequest, status: 400 | 413, message: string, issue: { path: string; message: string } | null, requestId: string) {
  const path = request.nextUrl.pathname;
  const headers = { "Cache-Control": "no-store", "X-Request-Id": requestId };
  if (path === "/api/fhir" || path.startsWith("/api/fhir/")) {
    const outcome = operationOutcome("error", status === 413 ? "too-costly" : "invalid", message, issue ? [issue.path] : undefined);

    return new NextResponse(JSON.stringify(outcome), { status, headers: { ...headers, "Content-Type": FHIR_JSON } });
  }
  if (path.startsWith("/api/")) {
    const body = { error: message, code: status === 413 ? "PAYLOAD_TOO_LARGE" : "INVALID_INPUT", ...(issue ? { issues: [issue] } : {}), request_id: requestId };

    return NextResponse.json(body, { status, headers });
  }

  return new NextResponse(`${message}\n`, { status, headers: { ...headers, "Content-Type": "text/plain; charset=utf-8" } });
}

export function proxyRequest(request: NextRequest, { isDevelopment }: TProxyOptions): NextResponse {
  const requestId = randomUUID();

  const problem = pathProblem(request.nextUrl.pathname);
  if (problem) return refuse(request, 400, `Invalid path: (path): ${problem}`, { path: "(path)", message: problem }, requestId);
  // The query too, for pages (which read it without the route wrapper's checks) as for the API.
  try {
    parseQueryString(request.nextUrl.search);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return refuse(request, 400, error.message, error.issues?.[0] ?? null, requestId);
  }
  const declaredLength = Number(request.headers.get("content-length") ?? "0");
  if (declaredLength > PROXY_MAX_BODY_BYTES) return refuse(request, 413, `The body is larger than the ${PROXY_MAX_BODY_BYTES}-byte limit of this server`, null, requestId);

  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  const chain = headers.get("x-forwarded-for");
  headers.delete("x-forwarded-for");
  headers.delete(FORWARDED_CHAIN_HEADER);
  if (chain) headers.set(FORWARDED_CHAIN_HEADER, chain.slice(0, MAX_FORWARDED_CHAIN));

  const isHttps = request.nextUrl.protocol === "https:";
  const nonce = makeNonce();
  const policy = contentSecurityPolicy({ nonce, isHttps, isDevelopment });
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", policy);

  // Next copies every header of this pass-through response onto the request as well, so none may
  // be a request header we read: an X-Request-Id here would replace the client's own (recorded as
  // clientRequestId). The route wrappers put our id on the answer.
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  if (isHttps) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);

  return response;
}
