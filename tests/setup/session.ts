// Web sessions for integration tests, made the way next-auth makes them: the credentials
// provider's authorize (our verifyCredentials), our jwt callback, next-auth's own encode. The
// route wrapper reads the cookie back exactly as it does for a browser.
import { decode, encode, type JWT } from "next-auth/jwt";

import { authOptions } from "@/lib/auth/next-auth";
import { env } from "@/lib/env";

const SESSION_MAX_AGE = 8 * 60 * 60;

type TAuthorize = (credentials: Record<string, string>, request: { headers: Record<string, string> }) => Promise<{ id: string; email: string; name: string } | null>;

/** Signs in with email and password; the session cookie (`next-auth.session-token=...`), or throws next-auth's error. */
export async function signInCookie(email: string, password: string, ipAddress = "10.0.0.9"): Promise<string> {
  const options = authOptions();
  const credentials = options.providers.find((provider) => provider.id === "credentials") as unknown as { options: { authorize: TAuthorize } };
  const user = await credentials.options.authorize({ email, password }, { headers: { "x-forwarded-for": ipAddress, "user-agent": "vitest" } });
  if (!user) throw new Error("CredentialsSignin");
  const token = await options.callbacks!.jwt!({ token: { sub: user.id, email: user.email, name: user.name }, user: user as never, account: { provider: "credentials", type: "credentials", providerAccountId: user.id } });
  const jwt = await encode({ token, secret: env().NEXTAUTH_SECRET, maxAge: SESSION_MAX_AGE });

  return `next-auth.session-token=${jwt}`;
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
