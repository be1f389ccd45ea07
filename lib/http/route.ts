// The one wrapper every API route handler goes through. A route declares what it accepts and
// the wrapper enforces it, in this order:
//   1. a server-made request id and the request's meta (client address by TRUST_PROXY);
//   2. authentication by the route's mode (401), then the API rate limit (429: per user, per
//      address when not signed in; lib/rate-limit); for a cookie session, a state-changing request
//      must come from our own pages (403, audited: lib/http/same-origin.ts);
//   3. params (path), then the coarse policy action if declared (403/404, audited by authorize);
//   4. query and body: size (413), type (415), UTF-8, JSON nesting, NUL and unpaired surrogates,
//      then the zod schemas (400 naming each field);
//   5. the handler, which calls one lib service; AppError maps to its status, anything else
//      becomes a logged, generic 500.
import { z } from "zod";

import { recordAudit } from "@/lib/audit/record";
import { requestMetaFrom, serverRequestId, type TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor, TPolicyRequest } from "@/lib/auth/policy";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { authenticateRequest, type TAuthMode, type TAuthVia } from "@/lib/http/authenticate";
import { assertSafeValue, parseQueryString } from "@/lib/input/input-guards";
import { readJsonBody } from "@/lib/http/json-body";
import { errorResponse } from "@/lib/http/responses";
import { isSameOriginRequest, isStateChanging } from "@/lib/http/same-origin";
import { limitApiRequest, rateLimitHeaders, withRateLimitHeaders, type TRateLimitState } from "@/lib/rate-limit/api-rate-limit";

type TOutput<S, TDefault> = S extends z.ZodType ? z.output<S> : TDefault;

type TActorOf<A extends TAuthMode> = A extends "none" ? null : TActor;

export type TRouteInput<A extends TAuthMode, P, Q, B> = {
  request: Request;
  /** The authenticated caller; null on `auth: "none"` routes. */
  actor: TActorOf<A>;
  /** How the caller authenticated; null on `auth: "none"` routes. */
  via: A extends "none" ? null : TAuthVia;
  params: TOutput<P, Record<string, never>>;
  query: TOutput<Q, Record<string, never>>;
  body: TOutput<B, undefined>;
  meta: TRequestMeta;
  requestId: string;
};

export type TRouteOptions<A extends TAuthMode, P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> = {
  auth: A;
  /** Path segments, e.g. `z.object({ id: ZRouteId })`. Next has decoded them already. */
  params?: P;
  /** The query string as an object (a repeated key is an array). Undeclared, it is not read. */
  query?: Q;
  /** A JSON body. Undeclared, the body is left unread (for handlers that stream it themselves). */
  body?: B;
  /**
   * false: not counted against API_RATE_LIMIT_PER_MINUTE. Only for next-auth's own endpoints (sign-in
   * has its own per-address throttle, lib/auth/login-throttle.ts) and the health check.
   */
  rateLimit?: false;
  /** Body size limit in bytes (default MAX_BODY_BYTES); a function is read per request. */
  maxBodyBytes?: number | (() => number);
  /**
   * The coarse policy question, asked once the caller and path are known and before the query
   * and body are looked at: a caller who may not do this at all is refused, not coached.
   */
  policy?: A extends "none" ? never : TPolicyRequest | ((input: { params: TOutput<P, Record<string, never>> }) => TPolicyRequest);
  handler: (input: TRouteInput<A, P, Q, B>) => Promise<Response>;
};

type TNextContext = { params?: Promise<unknown> } | undefined;

/** A path id: our ids are cuids, FHIR ids at most 64 characters; anything longer is not one. */
export const ZRouteId = z.string().trim().min(1, "is required").max(128, "is too long to be an id");

/** Any JSON object: for bodies the called service validates itself (it is shared with the CLI). */
export const ZJsonObject = z.record(z.string(), z.unknown(), { error: "send a JSON object" });

/** The common path shape: one id. */
export const ZIdParams = z.object({ id: ZRouteId });

async function refuseCrossSite(request: Request, actor: TActor, meta: TRequestMeta): Promise<never> {
  const origin = request.headers.get("origin")?.slice(0, 200) ?? null;
  await recordAudit(null, {
    action: "access_denied",
    outcome: "denied",
    userId: actor.id,
    metadata: { reason: "cross-site request", method: request.method, origin, fetchSite: request.headers.get("sec-fetch-site")?.slice(0, 40) ?? null },
    meta,
  });
  throw new AppError("FORBIDDEN", "Cross-site request refused: send it from the CareExport pages, or use an API token");
}

function rawParamsOf(value: unknown): Record<string, string | string[]> {
  return value && typeof value === "object" ? (value as Record<string, string | string[]>) : {};
}

/** Declares a route handler; see the top of this file for what it does in which order. */
export function route<A extends TAuthMode, P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  options: TRouteOptions<A, P, Q, B>,
) {
  return async (request: Request, context?: TNextContext): Promise<Response> => {
    const requestId = serverRequestId((name) => request.headers.get(name));
    let rateLimit: TRateLimitState | null = null;
    try {
      const meta = requestMetaFrom(request, requestId);
      const isLimited = options.rateLimit !== false;
      const byAddress = async () => {
        if (isLimited) rateLimit = await limitApiRequest({ address: meta.ipAddress });
      };
      let authenticated: Awaited<ReturnType<typeof authenticateRequest>> | null = null;
      if (options.auth === "none") {
        await byAddress();
      } else {
        // A caller who fails to authenticate is counted by address: guessing tokens costs budget too.
        authenticated = await authenticateRequest(request, options.auth, meta).catch(async (error: unknown) => {
          await byAddress();
          throw error;
        });
        if (isLimited) rateLimit = await limitApiRequest({ userId: authenticated.actor.id });
      }
      if (authenticated?.via === "session" && isStateChanging(request.method) && !isSameOriginRequest(request)) {
        await refuseCrossSite(request, authenticated.actor, meta);
      }

      const rawParams = rawParamsOf(await context?.params);
      for (const [name, value] of Object.entries(rawParams)) assertSafeValue(value, name, "Invalid path");
      const params = options.params ? parseOrThrow(options.params, rawParams, "Invalid path", "(path)") : {};
      if (options.policy && authenticated) {
        const declared = options.policy as TPolicyRequest | ((input: { params: unknown }) => TPolicyRequest);
        await authorize(authenticated.actor, typeof declared === "function" ? declared({ params }) : declared, { meta });
      }

      const rawQuery = parseQueryString(new URL(request.url).search);
      const query = options.query ? parseOrThrow(options.query, rawQuery, "Invalid query", "(query)") : {};
      const maxBodyBytes = typeof options.maxBodyBytes === "function" ? options.maxBodyBytes() : (options.maxBodyBytes ?? env().MAX_BODY_BYTES);
      const body = options.body ? parseOrThrow(options.body, await readJsonBody(request, maxBodyBytes), "Invalid request body") : undefined;

      const response = await options.handler({ request, actor: authenticated?.actor ?? null, via: authenticated?.via ?? null, params, query, body, meta, requestId } as TRouteInput<A, P, Q, B>);
      response.headers.set("X-Request-Id", requestId);

      return withRateLimitHeaders(response, rateLimit);
    } catch (error) {
      return errorResponse(error, requestId, rateLimitHeaders(rateLimit));
    }
  };
}
