import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";

export const ACTOR_SELECT = { id: true, email: true, name: true, role: true, piiAccess: true, isDisabled: true, sessionVersion: true } as const;

/**
 * Loads the actor fresh from the database on every request: a role change, a revoked grant
 * or a disabled account takes effect at once, whatever the session token still says. A web
 * session also carries the user's session version from when it was signed in; once the version
 * moved on (sign-out, password reset, role change, disabling) the session has ended. Read in the
 * same query as the user, so ending sessions costs requests nothing.
 */
export async function loadActiveActor(userId: string, session?: { sessionVersion: number | undefined }): Promise<TActor | null> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: ACTOR_SELECT });
  if (!user || user.isDisabled) return null;
  if (session && session.sessionVersion !== user.sessionVersion) return null;

  return { id: user.id, email: user.email, name: user.name, role: user.role, piiAccess: user.piiAccess };
}
