// Web sessions for integration tests, made the way next-auth makes them: the credentials
// provider's authorize (our verifyCredentials), our jwt callback, next-auth's own encode. The
// route wrapper reads the cookie back exactly as it does for a browser.
import { decode, encode, type JWT } from "next-auth/jwt";

import { authOptions } from "@/lib/auth/next-auth";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";

const SESSION_MAX_AGE = 8 * 60 * 60;

type TSignedInUser = { id: string; email: string; name: string; role: string; sessionVersion: number };
type TAuthorize = (credentials: Record<string, string>, request: { headers: Record<string, string> }) => Promise<TSignedInUser | null>;

/** The cookie next-auth sets after a sign-in of `user` (as the credentials provider returned it). */
async function cookieAfterSignIn(user: TSignedInUser) {
  const options = authOptions();
  const token = await options.callbacks!.jwt!({ token: { sub: user.id, email: user.email, name: user.name }, user: user as never, account: { provider: "credentials", type: "credentials", providerAccountId: user.id } });

  return `next-auth.session-token=${await encode({ token, secret: env().NEXTAUTH_SECRET, maxAge: SESSION_MAX_AGE })}`;
}

/** Signs in with email and password through the credentials provider; the session cookie, or throws. */
export async function signInCookie(email: string, password: string, ipAddress = "10.0.0.9"): Promise<string> {
  const credentials = authOptions().providers.find((provider) => provider.id === "credentials") as unknown as { options: { authorize: TAuthorize } };
  const user = await credentials.options.authorize({ email, password }, { headers: { "x-forwarded-for": ipAddress, "user-agent": "vitest" } });
  if (!user) throw new Error("CredentialsSignin");

  return cookieAfterSignIn(user);
}

/**
 * A session cookie for `user` without checking a password: what a sign-in would give them now
 * (their current session version), for tests about cookie-authenticated requests.
 */
export async function sessionCookieFor(user: { id: string; email: string; name: string; role: string }) {
  const { sessionVersion } = await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { sessionVersion: true } });

  return cookieAfterSignIn({ ...user, sessionVersion });
}

/** The decoded session token of a cookie, as next-auth hands it to events.signOut. */
export async function sessionTokenOf(cookie: string): Promise<JWT> {
  const token = await decode({ token: cookie.replace(/^next-auth\.session-token=/, ""), secret: env().NEXTAUTH_SECRET });
  if (!token) throw new Error("not a session cookie");

  return token;
}

/** What POST /api/auth/signout does on the server: next-auth calls our events.signOut with the session's token. */
export async function signOut(cookie: string) {
  await authOptions().events!.signOut!({ token: await sessionTokenOf(cookie), session: undefined as never });
}

/** Request headers of a browser signed in with `cookie` (same origin, as a browser sends them). */
export function browserHeaders(cookie: string): Record<string, string> {
  return { cookie, origin: env().APP_URL ?? "http://127.0.0.1:3999", "sec-fetch-site": "same-origin" };
}
