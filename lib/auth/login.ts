import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import {
  accountThrottleKey,
  claimAttempt,
  clearUnlessLocked,
  ipThrottleKey,
  lockIfExhausted,
  releaseAttempt,
  type TThrottleLimits,
} from "@/lib/auth/login-throttle";
import type { TActor } from "@/lib/auth/policy";
import { verifyPassword } from "@/lib/auth/password";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { hasUnsafeText } from "@/lib/input/input-guards";

/**
 * The outcome of a password sign-in. A failure carries no reason on purpose: a wrong password,
 * an unknown email, a disabled or locked account all get the same answer, so nobody can learn
 * which emails have accounts. The reason is in the audit trail.
 */
export type TLoginResult = { ok: true; actor: TActor; sessionVersion: number } | { ok: false };

const FAILED: TLoginResult = { ok: false };

function limits() {
  const { SIGNIN_LOCKOUT_FAILURES, SIGNIN_LOCKOUT_MINUTES, SIGNIN_IP_MAX_FAILURES } = env();
  const windowMs = SIGNIN_LOCKOUT_MINUTES * 60_000;

  return { account: { maxFailures: SIGNIN_LOCKOUT_FAILURES, windowMs } satisfies TThrottleLimits, ip: { maxFailures: SIGNIN_IP_MAX_FAILURES, windowMs } satisfies TThrottleLimits, minutes: SIGNIN_LOCKOUT_MINUTES };
}

/**
 * Checks a password sign-in, with two throttles (lib/auth/login-throttle.ts):
 * - per (account, address): SIGNIN_LOCKOUT_FAILURES failures lock that account *from that
 *   address* for SIGNIN_LOCKOUT_MINUTES; the owner signing in from elsewhere is not locked out,
 *   so a stranger cannot lock an admin out of their own account;
 * - per address: SIGNIN_IP_MAX_FAILURES failures (any accounts, unknown emails) pause sign-in from
 *   that address, which stops guessing across many accounts.
 * Each attempt is counted before its password is checked (checking takes ~0.25 s, and guesses
 * sent at once would otherwise all read the same count), so at most the limit of passwords is
 * ever checked per window. Every outcome is audited (the typed email only as the actor label of a
 * failure for an unknown address, never the password).
 */
export async function verifyCredentials(emailInput: string, password: string, meta: TRequestMeta): Promise<TLoginResult> {
  // NUL or a lone surrogate is no email or password anyone has: refused like any wrong guess, and
  // kept away from the database (PostgreSQL refuses NUL in text; SQLite would store it).
  if (hasUnsafeText(emailInput) || hasUnsafeText(password)) {
    await recordAudit(null, { action: "login_failure", outcome: "failure", metadata: { reason: "malformed-input" }, meta });
    return FAILED;
  }
  const email = emailInput.trim().toLowerCase();
  const { account, ip, minutes } = limits();
  const ipKey = ipThrottleKey(meta.ipAddress);

  // A paused address learns nothing more, so its attempts cost no password check either.
  const ipClaim = await claimAttempt(ipKey, ip);
  if (!ipClaim.ok) {
    await recordAudit(null, { action: "login_failure", outcome: "failure", actorLabel: email.slice(0, 200), metadata: { reason: "address-throttled" }, meta });
    return FAILED;
  }
  const failed = async (details: { userId?: string; reason: string }) => {
    const ipLockedUntil = await lockIfExhausted(ipKey, ip);
    await prisma.$transaction(async (tx) => {
      await recordAudit(tx, { action: "login_failure", outcome: "failure", userId: details.userId ?? null, actorLabel: details.userId ? null : email.slice(0, 200), metadata: { reason: details.reason }, meta });
      if (ipLockedUntil) await recordAudit(tx, { action: "lockout", outcome: "failure", metadata: { scope: "address", minutes, failures: ip.maxFailures }, meta });
    });

    return FAILED;
  };

  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, role: true, piiAccess: true, isDisabled: true, passwordHash: true, sessionVersion: true } });
  if (!user || user.isDisabled) {
    // Compared anyway, so an unknown or disabled account takes as long as a known one.
    await verifyPassword(password, null);
    return failed({ userId: user?.id, reason: user ? "disabled" : "unknown-email" });
  }

  const accountKey = accountThrottleKey(user.id, meta.ipAddress);
  const accountClaim = await claimAttempt(accountKey, account);
  if (!accountClaim.ok) {
    await verifyPassword(password, null);
    return failed({ userId: user.id, reason: "locked" });
  }

  if (!(await verifyPassword(password, user.passwordHash))) {
    const lockedUntil = await lockIfExhausted(accountKey, account);
    if (lockedUntil) await recordAudit(null, { action: "lockout", outcome: "failure", userId: user.id, metadata: { scope: "account-address", minutes, failures: account.maxFailures }, meta });
    return failed({ userId: user.id, reason: "wrong-password" });
  }

  // A lock set by a parallel wrong guess while this password was being checked still holds.
  if (!(await clearUnlessLocked(accountKey))) return failed({ userId: user.id, reason: "locked" });
  await releaseAttempt(ipKey);
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    await recordAudit(tx, { action: "login_success", userId: user.id, metadata: { method: "password" }, meta });
  });

  return { ok: true, actor: { id: user.id, email: user.email, name: user.name, role: user.role, piiAccess: user.piiAccess }, sessionVersion: user.sessionVersion };
}
