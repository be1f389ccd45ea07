import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { getSessionActor } from "@/lib/auth/session";
import { authenticateToken } from "@/lib/auth/tokens";
import { AppError } from "@/lib/errors/app-error";

/** Who may call a route: a signed-in browser session, an API token, either, or anyone. */
export type TAuthMode = "session" | "token" | "both" | "none";

export type TAuthVia = "session" | "token";

export type TAuthenticated = { actor: TActor; via: TAuthVia };

const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?next-auth\.session-token(?:\.\d+)?=/;

export function hasSessionCookie(request: Request) {
  return SESSION_COOKIE.test(request.headers.get("cookie") ?? "");
}

async function authenticateBearer(header: string, meta: TRequestMeta): Promise<TActor> {
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const check = match ? await authenticateToken(match[1]!) : ({ ok: false, reason: "unknown" } as const);
  if (check.ok) return check.actor;

  await recordAudit(null, { action: "login_failure", outcome: "failure", actorLabel: "api-token", metadata: { method: "token", reason: check.reason }, meta });
  throw new AppError("UNAUTHENTICATED", check.reason === "expired" ? "The API token has expired" : check.reason === "revoked" ? "The API token has been revoked" : "Invalid API token");
}

/**
 * The caller, by the route's auth mode: a Bearer token when one is sent (a refused one is
 * audited), else the session cookie. 401 when the mode's kind of credential is missing or invalid.
 */
export async function authenticateRequest(request: Request, mode: Exclude<TAuthMode, "none">, meta: TRequestMeta): Promise<TAuthenticated> {
  const authorization = request.headers.get("authorization");
  if (authorization) {
    if (mode === "session") throw new AppError("UNAUTHENTICATED", "This needs a signed-in session; API tokens are not accepted here");

    return { actor: await authenticateBearer(authorization, meta), via: "token" };
  }
  if (mode === "token") throw new AppError("UNAUTHENTICATED", "Send an API token (Authorization: Bearer ...)");

  // Only consult next-auth when a session cookie came along.
  const actor = hasSessionCookie(request) ? await getSessionActor(request) : null;
  if (!actor) throw new AppError("UNAUTHENTICATED", mode === "session" ? "Sign in first" : "Sign in or send an API token (Authorization: Bearer ...)");

  return { actor, via: "session" };
}
