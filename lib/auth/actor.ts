import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";

export const ACTOR_SELECT = { id: true, email: true, name: true, role: true, piiAccess: true, isDisabled: true } as const;

/**
 * Loads the actor fresh from the database on every request: a role change, a revoked grant
 * or a disabled account takes effect at once, whatever the session token still says.
 */
export async function loadActiveActor(userId: string): Promise<TActor | null> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: ACTOR_SELECT });
  if (!user || user.isDisabled) return null;

  return { id: user.id, email: user.email, name: user.name, role: user.role, piiAccess: user.piiAccess };
}
