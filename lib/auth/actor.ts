import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";

export const ACTOR_SELECT = { id: true, email: true, name: true, role: true, piiAccess: true, isDisabled: true, passwordChangedAt: true } as const;

/**
 * Loads the actor fresh from the database on every request: a role change, a revoked grant
 * or a disabled account takes effect at once, whatever the session token still says. A web
 * session (signedInAt, ms) from before the user's password was last reset has ended: a reset
 * after a suspected compromise must sign the intruder out, not only change the next sign-in.
 */
export async function loadActiveActor(userId: string, signedInAt?: number): Promise<TActor | null> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: ACTOR_SELECT });
  if (!user || user.isDisabled) return null;
  if (signedInAt !== undefined && user.passwordChangedAt && user.passwordChangedAt.getTime() > signedInAt) return null;

  return { id: user.id, email: user.email, name: user.name, role: user.role, piiAccess: user.piiAccess };
}
