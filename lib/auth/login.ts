import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { verifyPassword } from "@/lib/auth/password";
import { prisma } from "@/lib/db/client";

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
/** Longer than any password check takes: counted attempts older than this without a lock were cut off. */
const STALLED_ATTEMPT_MS = 60_000;

export type TLoginResult = { ok: true; actor: TActor; sessionVersion: number } | { ok: false; reason: "invalid" | "locked" | "disabled" };

/**
 * Checks a password sign-in. Five failures in a row lock the account for 15 minutes; while
 * locked even the right password is refused. Every outcome is audited (the typed email is
 * recorded only as the actor label of a failure, never the password).
 *
 * An attempt is counted before its password is checked: checking takes ~0.25 s, and guesses
 * sent at the same moment would otherwise all read the same count and all be let through.
 * So at most MAX_FAILED_LOGINS passwords are ever checked per lockout window, however many
 * arrive at once; a right one resets the count.
 */
export async function verifyCredentials(emailInput: string, password: string, meta: TRequestMeta): Promise<TLoginResult> {
  const email = emailInput.trim().toLowerCase();
  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, role: true, piiAccess: true, isDisabled: true, passwordHash: true, sessionVersion: true } });

  if (!user) {
    // Compared anyway, so an unknown email takes as long as a known one.
    await verifyPassword(password, null);
    await recordAudit(null, { action: "login_failure", outcome: "failure", actorLabel: email.slice(0, 200), metadata: { reason: "unknown-email" }, meta });
    return { ok: false, reason: "invalid" };
  }
  if (user.isDisabled) {
    await verifyPassword(password, null);
    await recordAudit(null, { action: "login_failure", outcome: "failure", userId: user.id, metadata: { reason: "disabled" }, meta });
    return { ok: false, reason: "disabled" };
  }

  const attempt = await claimAttempt(user.id);
  if (!attempt.ok) {
    await recordAudit(null, { action: "login_failure", outcome: "failure", userId: user.id, metadata: { reason: "locked", ...(attempt.lockedUntil ? { lockedUntil: attempt.lockedUntil.toISOString() } : {}) }, meta });
    return { ok: false, reason: "locked" };
  }

  if (!(await verifyPassword(password, user.passwordHash))) {
    const now = new Date();
    const isLocking = await prisma.$transaction(async (tx) => {
      // The attempt that brings the count to the limit sets the lock, once.
      const locked = await tx.user.updateMany({
        where: { id: user.id, failedLoginCount: { gte: MAX_FAILED_LOGINS }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
        data: { lockedUntil: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) },
      });
      await recordAudit(tx, { action: "login_failure", outcome: "failure", userId: user.id, metadata: { reason: "wrong-password", failures: attempt.failures }, meta });
      if (locked.count > 0) await recordAudit(tx, { action: "lockout", outcome: "failure", userId: user.id, metadata: { minutes: LOCKOUT_MINUTES, failures: attempt.failures }, meta });

      return locked.count > 0;
    });

    return { ok: false, reason: isLocking ? "locked" : "invalid" };
  }

  const signedIn = await prisma.$transaction(async (tx) => {
    // A lock set by a parallel wrong guess while this password was being checked still holds.
    const reset = await tx.user.updateMany({
      where: { id: user.id, OR: [{ lockedUntil: null }, { lockedUntil: { lte: new Date() } }] },
      data: { failedLoginCount: 0, lockedUntil: null, lastLoginAt: new Date() },
    });
    if (reset.count === 0) return false;
    await recordAudit(tx, { action: "login_success", userId: user.id, metadata: { method: "password" }, meta });

    return true;
  });
  if (!signedIn) {
    await recordAudit(null, { action: "login_failure", outcome: "failure", userId: user.id, metadata: { reason: "locked" }, meta });
    return { ok: false, reason: "locked" };
  }

  return { ok: true, actor: { id: user.id, email: user.email, name: user.name, role: user.role, piiAccess: user.piiAccess }, sessionVersion: user.sessionVersion };
}

/**
 * Counts one attempt, atomically, unless the account is locked or MAX_FAILED_LOGINS attempts
 * are already counted (failed, or still being checked). A lock that has run out starts a fresh count.
 */
async function claimAttempt(userId: string): Promise<{ ok: true; failures: number } | { ok: false; lockedUntil: Date | null }> {
  const now = new Date();
  await prisma.user.updateMany({ where: { id: userId, lockedUntil: { lte: now } }, data: { lockedUntil: null, failedLoginCount: 0 } });
  // The attempts are all counted but none set a lock: the one that would have was cut off (a restart
  // during its check). Lock from now, so the count cannot keep the account closed for good.
  await prisma.user.updateMany({ where: { id: userId, failedLoginCount: { gte: MAX_FAILED_LOGINS }, lockedUntil: null, updatedAt: { lte: new Date(now.getTime() - STALLED_ATTEMPT_MS) } }, data: { lockedUntil: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) } });
  const claimed = await prisma.user.updateMany({
    where: { id: userId, failedLoginCount: { lt: MAX_FAILED_LOGINS }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
    data: { failedLoginCount: { increment: 1 } },
  });
  const state = await prisma.user.findUnique({ where: { id: userId }, select: { failedLoginCount: true, lockedUntil: true } });
  if (claimed.count === 0) return { ok: false, lockedUntil: state?.lockedUntil && state.lockedUntil > now ? state.lockedUntil : null };

  return { ok: true, failures: Math.min(state?.failedLoginCount ?? 1, MAX_FAILED_LOGINS) };
}
