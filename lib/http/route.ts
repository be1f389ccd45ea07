// The one wrapper every API route handler goes through: request id, authentication (session
// cookie or Bearer token), body limits, and the mapping of errors to responses. A handler
// stays thin: parse input, authorize, call one lib service, respond.
import { randomUUID } from "node:crypto";

import { NextResponse } from "next/server";

import { recordAudit } from "@/lib/audit/record";
import { requestMetaFrom, type TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { getSessionActor } from "@/lib/auth/session";
import { authenticateToken } from "@/lib/auth/tokens";
import { env } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { logger } from "@/lib/logger";

export type TRouteContext<TParams> = {
  request: Request;
  params: TParams;
  requestId: string;
  meta: TRequestMeta;
};

export type TAuthedContext<TParams> = TRouteContext<TParams> & { actor: TActor };

type TNextContext<TParams> = { params: Promise<TParams> };

export function errorResponse(error: unknown, requestId: string): Response {
  if (error instanceof AppError) {
    const headers: Record<string, string> = { "X-Request-Id": requestId };
    if (error.retryAfterSeconds) headers["Retry-After"] = String(error.retryAfterSeconds);

    return NextResponse.json({ error: error.message, code: error.code, ...(error.issues ? { issues: error.issues } : {}), request_id: requestId }, { status: error.status, headers });
  }
  // Unexpected: log it (server side only, never patient data in the message we add) and
  // answer a generic 500 without a stack.
  logger.error("unhandled error in route", { requestId, error });

  return NextResponse.json({ error: "Something went wrong on our side. Try again, or give this id to your administrator.", code: "INTERNAL", request_id: requestId }, { status: 500, headers: { "X-Request-Id": requestId } });
}

async function authenticate(request: Request, meta: TRequestMeta): Promise<TActor> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const check = match ? await authenticateToken(match[1]!) : ({ ok: false, reason: "unknown" } as const);
    if (check.ok) return check.actor;
    await recordAudit(null, { action: "login_failure", outcome: "failure", actorLabel: "api-token", metadata: { method: "token", reason: check.reason }, meta });
    throw new AppError("UNAUTHENTICATED", check.reason === "expired" ? "The API token has expired" : check.reason === "revoked" ? "The API token has been revoked" : "Invalid API token");
  }
  // Only consult next-auth when a session cookie came along.
  const hasSessionCookie = /(?:^|;\s*)(?:__Secure-)?next-auth\.session-token(?:\.\d+)?=/.test(request.headers.get("cookie") ?? "");
  const actor = hasSessionCookie ? await getSessionActor(request) : null;
  if (!actor) throw new AppError("UNAUTHENTICATED", "Sign in or send an API token (Authorization: Bearer ...)");

  return actor;
}

function wrap<TParams>(handler: (ctx: TRouteContext<TParams>) => Promise<Response>) {
  return async (request: Request, context: TNextContext<TParams>) => {
    const requestId = request.headers.get("x-request-id")?.slice(0, 64) || randomUUID();
    try {
      const meta = requestMetaFrom(request, requestId);
      const params = (await context?.params) ?? ({} as TParams);
      const response = await handler({ request, params, requestId, meta });
      response.headers.set("X-Request-Id", requestId);

      return response;
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}

/** A route that needs a signed-in user or a valid API token. */
export function authedRoute<TParams = Record<string, never>>(handler: (ctx: TAuthedContext<TParams>) => Promise<Response>) {
  return wrap<TParams>(async (ctx) => handler({ ...ctx, actor: await authenticate(ctx.request, ctx.meta) }));
}

/** A route open to anyone (health, signed download links that carry their own proof). */
export function publicRoute<TParams = Record<string, never>>(handler: (ctx: TRouteContext<TParams>) => Promise<Response>) {
  return wrap<TParams>(handler);
}

/** Reads a JSON body with a size limit: 415 for another content type, 413 when too large, 400 when malformed. */
export async function readJsonBody(request: Request, maxBytes = env().MAX_BODY_BYTES): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(fhir\+)?json\b/i.test(type)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json");
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE", `The body is larger than the ${maxBytes}-byte limit`);

  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError("PAYLOAD_TOO_LARGE", `The body is larger than the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) throw new AppError("INVALID_INPUT", "The request body is empty", { issues: [{ path: "(body)", message: "required" }] });
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("INVALID_INPUT", "The request body is not valid JSON", { issues: [{ path: "(body)", message: "not valid JSON" }] });
  }
}

export function json(data: unknown, status = 200, headers: Record<string, string> = {}) {
  return NextResponse.json(data, { status, headers: { "Cache-Control": "no-store", ...headers } });
}
