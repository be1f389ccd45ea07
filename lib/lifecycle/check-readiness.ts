// What /api/ready reports: whether this instance should get traffic. Each dependency is named
// with its state, so an operator sees which one failed; nothing more (no hosts, no errors: the
// endpoint needs no sign-in). Details go to the server log, once per change of state.
import { databaseHealth } from "@/lib/db/health";
import { env } from "@/lib/env";
import { isShuttingDown } from "@/lib/lifecycle/graceful-shutdown";
import { logger } from "@/lib/logger";
import { storage } from "@/lib/storage";

/** A check that has not answered by then counts as failed: a probe must answer quickly. */
const CHECK_TIMEOUT_MS = 3_000;

export type TReadiness = {
  isReady: boolean;
  status: "ready" | "not ready" | "shutting down";
  checks: { database: "ok" | "unreachable"; migrations: "ok" | "pending" | "unknown"; storage: "ok" | "unreachable" };
  /** Migration names are not secrets; they tell the operator what `npm start` would apply. */
  pending?: string[];
};

let lastLogged = "";

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;

  return Promise.race([work, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)))]).finally(() =>
    clearTimeout(timer),
  );
}

export async function checkReadiness(): Promise<TReadiness> {
  const [database, storageError] = await Promise.all([
    withTimeout(databaseHealth(), "the database").catch(() => ({ ok: false as const, database: "unreachable" as const })),
    withTimeout(storage().checkReachable(), "storage").then(
      () => null,
      (error: unknown) => error,
    ),
  ]);
  const checks: TReadiness["checks"] = {
    database: !database.ok && database.database === "unreachable" ? "unreachable" : "ok",
    migrations: database.ok ? "ok" : database.database === "migrations pending" ? "pending" : "unknown",
    storage: storageError ? "unreachable" : "ok",
  };
  const isHealthy = checks.database === "ok" && checks.migrations === "ok" && checks.storage === "ok";
  const shuttingDown = isShuttingDown();

  const summary = JSON.stringify(checks);
  if (summary !== lastLogged) {
    lastLogged = summary;
    if (!isHealthy) logger.warn("not ready", { ...checks, storageDriver: env().STORAGE_DRIVER, error: storageError ?? undefined });
  }

  return {
    isReady: isHealthy && !shuttingDown,
    status: shuttingDown ? "shutting down" : isHealthy ? "ready" : "not ready",
    checks,
    ...(!database.ok && database.database === "migrations pending" ? { pending: database.pending } : {}),
  };
}
