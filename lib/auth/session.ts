import { getToken, type JWT } from "next-auth/jwt";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { loadActiveActor } from "@/lib/auth/actor";
import type { TActor } from "@/lib/auth/policy";
import { env } from "@/lib/env";

function cookiesOfHeader(header: string | null): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index > 0) jar[part.slice(0, index).trim()] = part.slice(index + 1).trim();
  }

  return jar;
}

/**
 * The session token (next-auth's encrypted JWT cookie, chunks joined, expiry checked), from a
 * request's Cookie header or, in a server page, from Next's cookie store. Read directly: next-auth
 * never renews the cookie from a server page or route anyway, so a session lasts its maxAge
 * from sign-in.
 */
async function readSessionToken(request?: Request): Promise<JWT | null> {
  const { NEXTAUTH_SECRET, NEXTAUTH_URL, APP_URL } = env();
  // next-auth names its cookie __Secure-… when its base URL is https: NEXTAUTH_URL, or APP_URL when only that is set (lib/auth/auth-base-url.ts).
  const baseUrl = NEXTAUTH_URL ?? APP_URL;
  const jar = request ? cookiesOfHeader(request.headers.get("cookie")) : Object.fromEntries((await cookies()).getAll().map((cookie) => [cookie.name, cookie.value]));

  // headers left empty: getToken would otherwise take an Authorization: Bearer value for a session.
  return getToken({ req: { cookies: jar, headers: {} } as never, secret: NEXTAUTH_SECRET, secureCookie: Boolean(baseUrl?.startsWith("https://")) });
}

/**
 * The signed-in actor of a route (given its request) or a server page, or null: no session, an
 * expired one, one that has ended (its session version is no longer the user's) or a disabled user.
 */
export async function getSessionActor(request?: Request): Promise<TActor | null> {
  const token = await readSessionToken(request);
  if (typeof token?.uid !== "string") return null;

  // A session token without a version (signed in before versions existed) never matches: it has ended.
  return loadActiveActor(token.uid, { sessionVersion: typeof token.sv === "number" ? token.sv : -1 });
}

/** For server pages: the actor, or a redirect to the login page. */
export async function requirePageActor(): Promise<TActor> {
  const actor = await getSessionActor();
  if (!actor) redirect("/login");

  return actor;
}
