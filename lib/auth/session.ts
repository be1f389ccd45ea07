import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";

import { loadActiveActor } from "@/lib/auth/actor";
import { authOptions } from "@/lib/auth/next-auth";
import type { TActor } from "@/lib/auth/policy";

/** next-auth's request shape: plain header and cookie maps (what it builds from next/headers itself). */
function sessionRequestOf(request: Request) {
  const cookies = Object.fromEntries(
    (request.headers.get("cookie") ?? "")
      .split(";")
      .map((part) => part.trim().split("="))
      .filter((pair) => pair.length >= 2 && pair[0])
      .map(([name, ...value]) => [name!, value.join("=")]),
  );

  return { headers: Object.fromEntries(request.headers), cookies };
}

const NO_RESPONSE = { getHeader() {}, setCookie() {}, setHeader() {} };

/**
 * The signed-in actor of a server page or route, or null. Route handlers pass their request, so
 * the session is read from it (the same next-auth callbacks run) rather than from Next's request
 * scope, which also lets integration tests call handlers with a real session cookie.
 */
export async function getSessionActor(request?: Request): Promise<TActor | null> {
  const session = request
    ? await getServerSession(sessionRequestOf(request) as never, NO_RESPONSE as never, authOptions())
    : await getServerSession(authOptions());
  const user = session?.user as { id?: string; signedInAt?: number } | undefined;
  if (!user?.id) return null;

  // A session token from before signedInAt existed counts as signed in at the epoch: a password reset ends it too.
  return loadActiveActor(user.id, user.signedInAt ?? 0);
}

/** For server pages: the actor, or a redirect to the login page. */
export async function requirePageActor(): Promise<TActor> {
  const actor = await getSessionActor();
  if (!actor) redirect("/login");

  return actor;
}
