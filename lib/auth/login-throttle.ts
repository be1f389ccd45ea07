// Counters of failed sign-ins (the LoginThrottle table). One counter per key: "ip:<address>"
// and "account:<userId>:<address>". Every step is a conditional update, so the counters hold
// under parallel requests and across instances on one database.
import ipaddr from "ipaddr.js";

import { prisma } from "@/lib/db/client";

export type TThrottleLimits = { maxFailures: number; windowMs: number };

/** The address as a stable key part; anything that is not an address counts as one "unknown" address. */
export function addressKey(ipAddress: string | null | undefined): string {
  const value = ipAddress?.trim() ?? "";

  return ipaddr.isValid(value) ? ipaddr.process(value).toString() : "unknown";
}

export const ipThrottleKey = (ipAddress: string | null | undefined) => `ip:${addressKey(ipAddress)}`;
export const accountThrottleKey = (userId: string, ipAddress: string | null | undefined) => `account:${userId}:${addressKey(ipAddress)}`;
export const accountThrottlePrefix = (userId: string) => `account:${userId}:`;

async function ensureRow(key: string, now: Date) {
  try {
    await prisma.loginThrottle.upsert({ where: { key }, create: { key, windowStart: now }, update: {} });
  } catch (error) {
    // Two first attempts at once: the other one created it.
    if ((error as { code?: string }).code !== "P2002") throw error;
  }
}

/**
 * Counts one attempt before it is checked, unless `maxFailures` attempts are already counted in
 * the window (failed, or still being checked) or a lock holds. A lock that has run out, or a
 * window that passed, starts a fresh count. Refused: the lock's end, when there is one.
 */
export async function claimAttempt(key: string, { maxFailures, windowMs }: TThrottleLimits, now = new Date()): Promise<{ ok: true } | { ok: false; lockedUntil: Date | null }> {
  await ensureRow(key, now);
  await prisma.loginThrottle.updateMany({
    where: { key, OR: [{ lockedUntil: { lte: now } }, { lockedUntil: null, windowStart: { lte: new Date(now.getTime() - windowMs) } }] },
    data: { failures: 0, lockedUntil: null, windowStart: now },
  });
  const claimed = await prisma.loginThrottle.updateMany({ where: { key, failures: { lt: maxFailures }, lockedUntil: null }, data: { failures: { increment: 1 } } });
  if (claimed.count > 0) return { ok: true };
  const row = await prisma.loginThrottle.findUnique({ where: { key }, select: { lockedUntil: true } });

  return { ok: false, lockedUntil: row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null };
}

/**
 * After a failed attempt: the failure that brought the count to the limit sets the lock, once
 * (the conditional update lets exactly one of several parallel failures do it): that one gets
 * the lock's end, the others null.
 */
export async function lockIfExhausted(key: string, { maxFailures, windowMs }: TThrottleLimits, now = new Date()): Promise<Date | null> {
  const lockedUntil = new Date(now.getTime() + windowMs);
  const { count } = await prisma.loginThrottle.updateMany({ where: { key, failures: { gte: maxFailures }, lockedUntil: null }, data: { lockedUntil } });

  return count > 0 ? lockedUntil : null;
}

/** A sign-in that succeeded is no failure: its counted attempt is given back. */
export async function releaseAttempt(key: string) {
  await prisma.loginThrottle.updateMany({ where: { key, failures: { gt: 0 } }, data: { failures: { decrement: 1 } } });
}

/**
 * The right password clears its (account, address) counter, unless a parallel wrong guess locked
 * the pair while it was being checked: that lock still holds. False when locked.
 */
export async function clearUnlessLocked(key: string, now = new Date()): Promise<boolean> {
  const { count } = await prisma.loginThrottle.updateMany({ where: { key, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] }, data: { failures: 0, lockedUntil: null, windowStart: now } });

  return count > 0;
}

/** Users locked out from at least one address right now (for the admin console). */
export async function usersWithSignInLocks(now = new Date()): Promise<Set<string>> {
  const rows = await prisma.loginThrottle.findMany({ where: { key: { startsWith: "account:" }, lockedUntil: { gt: now } }, select: { key: true } });

  return new Set(rows.map((row) => row.key.split(":")[1]!));
}
