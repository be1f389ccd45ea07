// The FHIR API's own thin route layer: request id, who is calling (a session, a personal API
// token, or a SMART access token with its scopes), and errors as OperationOutcome.
import { recordAudit } from "@/lib/audit/record";
import { requestMetaFrom, serverRequestId, type TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { getSessionActor } from "@/lib/auth/session";
import { authenticateToken } from "@/lib/auth/tokens";
import { fhirErrorResponse, FHIR_JSON } from "@/lib/fhir/api/operation-outcome";
import { authenticateAccessToken, isAccessToken } from "@/lib/fhir/smart/access-tokens";
import { AppError } from "@/lib/errors/app-error";
import { assertSafeValue, parseQueryString } from "@/lib/input/input-guards";
import { limitApiRequest, withRateLimitHeaders } from "@/lib/rate-limit/api-rate-limit";

/** Who is calling. `scopes` limits a SMART client's token (null: a person, limited by role). */
export type TFhirCaller = { actor: TActor; scopes: string[] | null; clientId: string | null };

export type TFhirContext<TParams> = { request: Request; params: TParams; requestId: string; meta: TRequestMeta };

async function authenticateFhir(request: Request, meta: TRequestMeta): Promise<TFhirCaller> {
  const header = request.headers.get("authorization");
  if (header) {
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (token && isAccessToken(token)) {
      const check = await authenticateAccessToken(token);
      if (check.ok) return { actor: check.actor, scopes: check.scopes, clientId: check.clientId };
      await recordAudit(null, { action: "login_failure", outcome: "failure", actorLabel: "smart-access-token", metadata: { method: "smart-access-token", reason: check.reason }, meta });
      throw new AppError("UNAUTHENTICATED", check.reason === "expired" ? "The access token has expired: request a new one" : "Invalid access token");
    }
    const check = token ? await authenticateToken(token) : ({ ok: false, reason: "unknown" } as const);
    if (check.ok) return { actor: check.actor, scopes: null, clientId: null };
    await recordAudit(null, { action: "login_failure", outcome: "failure", actorLabel: "api-token", metadata: { method: "token", reason: check.reason }, meta });
    throw new AppError("UNAUTHENTICATED", check.reason === "expired" ? "The API token has expired" : check.reason === "revoked" ? "The API token has been revoked" : "Invalid token");
  }
  const hasSessionCookie = /(?:^|;\s*)(?:__Secure-)?next-auth\.session-token(?:\.\d+)?=/.test(request.headers.get("cookie") ?? "");
  const actor = hasSessionCookie ? await getSessionActor() : null;
  if (!actor) throw new AppError("UNAUTHENTICATED", "Sign in, or send a token: Authorization: Bearer <API token or SMART access token>");

  return { actor, scopes: null, clientId: null };
}

function wrap<TParams>(handler: (ctx: TFhirContext<TParams>) => Promise<Response>) {
  return async (request: Request, context: { params: Promise<TParams> }) => {
    // proxy.ts's id for this request (it overwrites any a client sent), so X-Request-Id is one value.
    const requestId = serverRequestId((name) => request.headers.get(name));
    try {
      const meta = requestMetaFrom(request, requestId, "fhir");
      const params = (await context?.params) ?? ({} as TParams);
      // An id holding NUL or an unpaired surrogate is a 400, never a query (the route wrapper's rule).
      for (const [name, value] of Object.entries(params as Record<string, string | string[]>)) assertSafeValue(value, name, "Invalid path");
      // Only checked here (the search parser reads the query itself): NUL, a lone surrogate or
      // malformed percent-encoding in any parameter is a 400 before a query is built from it.
      parseQueryString(new URL(request.url).search);
      const response = await handler({ request, params, requestId, meta });
      response.headers.set("X-Request-Id", requestId);

      return response;
    } catch (error) {
      return fhirErrorResponse(error, requestId);
    }
  };
}

/**
 * The API rate limit (lib/rate-limit), as the route wrapper applies it: per SMART client or per
 * person; a caller who fails to authenticate is counted by address. A 429 is an OperationOutcome.
 */
export function fhirRoute<TParams = Record<string, never>>(handler: (ctx: TFhirContext<TParams> & { caller: TFhirCaller }) => Promise<Response>) {
  return wrap<TParams>(async (ctx) => {
    const caller = await authenticateFhir(ctx.request, ctx.meta).catch(async (error: unknown) => {
      await limitApiRequest({ address: ctx.meta.ipAddress });
      throw error;
    });
    const rateLimit = await limitApiRequest(caller.clientId ? { clientId: caller.clientId } : { userId: caller.actor.id });

    return withRateLimitHeaders(await handler({ ...ctx, caller }), rateLimit);
  });
}

export function publicFhirRoute<TParams = Record<string, never>>(handler: (ctx: TFhirContext<TParams>) => Promise<Response>) {
  return wrap<TParams>(async (ctx) => withRateLimitHeaders(await handler(ctx), await limitApiRequest({ address: ctx.meta.ipAddress })));
}

export function fhirJson(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": FHIR_JSON, "Cache-Control": "no-store", ...headers } });
}

/** The FHIR base URL as callers reach it: the configured public URL, else the request's origin. */
export function fhirBaseUrl(request: Request, appUrl: string | undefined) {
  return `${(appUrl ?? new URL(request.url).origin).replace(/\/$/, "")}/api/fhir`;
}

/** A body already serialized (and, for a de-identified page, already scanned as these bytes). */
export function fhirBody(text: string, status = 200) {
  return new Response(text, { status, headers: { "Content-Type": FHIR_JSON, "Cache-Control": "no-store" } });
}
