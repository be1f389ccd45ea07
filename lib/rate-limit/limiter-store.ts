// Where the rate limits count (rate-limiter-flexible). On PostgreSQL the counters live in the
// rate_limits table, so every app instance counts against the same budget; on the embedded
// SQLite default (one process) they are kept in memory. A database hiccup falls back to an
// in-memory count of this instance (the insurance limiter) rather than failing the request.
import { RateLimiterMemory, RateLimiterPrisma, type RateLimiterAbstract } from "rate-limiter-flexible";

import { isPostgres, prisma } from "@/lib/db/client";

export type TLimiterSpec = {
  /** Namespace of the keys: "api", "download". */
  name: string;
  /** Budget per window (requests, or bytes). */
  points: number;
  durationSeconds: number;
};

const limiters = new Map<string, RateLimiterAbstract>();

/** One limiter per spec and process (a changed setting gets a new one). */
export function limiterFor(spec: TLimiterSpec): RateLimiterAbstract {
  const store = isPostgres() ? "postgres" : "memory";
  const id = `${spec.name}:${spec.points}:${spec.durationSeconds}:${store}`;
  const existing = limiters.get(id);
  if (existing) return existing;

  const base = { keyPrefix: spec.name, points: spec.points, duration: spec.durationSeconds };
  const limiter =
    store === "postgres"
      ? new RateLimiterPrisma({
          ...base,
          // The Prisma client's property for the RateLimit model (prisma/schema.prisma).
          storeClient: prisma,
          tableName: "rateLimit",
          clearExpiredByTimeout: true,
          // A key that used its budget is refused from memory until its window ends: a flood costs
          // this instance no more database writes.
          inMemoryBlockOnConsumed: spec.points,
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
  limiters.set(id, limiter);

  return limiter;
}

/**
 * Drops this process's limiters: what a second instance starts with. Tests use it to show the
 * PostgreSQL store is shared (the count survives) and the in-memory one is not.
 */
export function forgetLimiters() {
  limiters.clear();
}
