import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";

/**
 * Deletes sign-in counters that no longer hold anything: untouched for longer than a window and
 * not locked (or their lock has run out). An attacker cycling through addresses makes rows; this
 * keeps the table to the last window's worth.
 */
export async function pruneLoginThrottles(now = new Date()) {
  const stale = new Date(now.getTime() - env().SIGNIN_LOCKOUT_MINUTES * 60_000);
  const { count } = await prisma.loginThrottle.deleteMany({ where: { updatedAt: { lt: stale }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] } });

  return { deleted: count };
}
