// The API's request budget (API_RATE_LIMIT_PER_MINUTE, the programme's 100 a minute): per user
// when signed in or holding a token (per SMART client for machine clients), per client address
// for everything else. The route wrapper and the FHIR wrapper ask it; the CLI, the scheduler and
// the job worker never go through HTTP, so they are not limited.
import { RateLimiterRes } from "rate-limiter-flexible";

import { env } from "@/lib/env";
import { AppError } from "@/lib/errors/app-error";
import { logger } from "@/lib/logger";
import { limiterFor } from "@/lib/rate-limit/limiter-store";

const WINDOW_SECONDS = 60;

export type TRateLimitSubject = { userId: string } | { clientId: string } | { address: string | null | undefined };

/** Where a caller stands after this request; null when the limit is off. */
export type TRateLimitState = { limit: number; remaining: number; resetSeconds: number };

function keyOf(subject: TRateLimitSubject) {
  if ("userId" in subject) return `user:${subject.userId}`;
  if ("clientId" in subject) return `fhir-client:${subject.clientId}`;

  return `ip:${subject.address ?? "unknown"}`;
}

function stateOf(limit: number, result: RateLimiterRes): TRateLimitState {
  return { limit, remaining: Math.max(0, result.remainingPoints), resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)) };
}

/**
 * The RateLimit-* headers (IETF draft "RateLimit header fields for HTTP"): the budget, what is
 * left of it, and seconds until the window resets.
 */
export function rateLimitHeaders(state: TRateLimitState | null): Record<string, string> {
  if (!state) return {};

  return {
    "RateLimit-Limit": String(state.limit),
    "RateLimit-Remaining": String(state.remaining),
    "RateLimit-Reset": String(state.resetSeconds),
    "RateLimit-Policy": `${state.limit};w=${WINDOW_SECONDS}`,
  };
}

/** Copies the RateLimit-* headers onto a response the handler made. */
export function withRateLimitHeaders(response: Response, state: TRateLimitState | null): Response {
  for (const [name, value] of Object.entries(rateLimitHeaders(state))) response.headers.set(name, value);

  return response;
}

/**
 * Counts one request of `subject`. Over the budget: a 429 AppError carrying Retry-After and the
 * RateLimit-* headers. A limiter that fails for another reason lets the request through (logged):
 * an outage of the counter must not take the API down with it.
 */
export async function limitApiRequest(subject: TRateLimitSubject): Promise<TRateLimitState | null> {
  const limit = env().API_RATE_LIMIT_PER_MINUTE;
  if (limit === 0) return null;

  try {
    return stateOf(limit, await limiterFor({ name: "api", points: limit, durationSeconds: WINDOW_SECONDS }).consume(keyOf(subject)));
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) {
      logger.error("rate limiter failed; request let through", { error: rejection });
      return null;
    }
    const state = stateOf(limit, rejection);
    throw new AppError("RATE_LIMITED", `Too many requests: at most ${limit} a minute. Try again in ${state.resetSeconds} s.`, {
      retryAfterSeconds: state.resetSeconds,
      headers: rateLimitHeaders(state),
    });
  }
}
