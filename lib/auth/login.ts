import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { verifyPassword } from "@/lib/auth/password";
import { prisma } from "@/lib/db/client";

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export type TLoginResult = { ok: true; actor: TActor } | { ok: false; reason: "invalid" | "locked" | "disabled" };

/**
 * Checks a password sign-in. Five failures in a row lock the account for 15 minutes; while
 * locked even the right password is refused. Every outcome is audited (the typed email is
 * recorded only as the actor label of a failure, never the password).
 */
export async function verifyCredentials(emailInput: string, password: string, meta: TRequestMeta): Promise<TLoginResult> {
  const email = emailInput.trim().toLowerCase();
  const user = await prisma.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, piiAccess: true, isDisabled: true, passwordHash: true, failedLoginCount: true, lockedUntil: true },
  });
  const isPasswordRight = await verifyPassword(password, user?.passwordHash);

  if (!user) {
    await recordAudit(null, { action: "login_failure", outcome: "failure", actorLabel: email.slice(0, 200), metadata: { reason: "unknown-email" }, meta });
    return { ok: false, reason: "invalid" };
  }
  if (user.isDisabled) {
    await recordAudit(null, { action: "login_failure", outcome: "failure", userId: user.id, metadata: { reason: "disabled" }, meta });
    return { ok: false, reason: "disabled" };
  }
  if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
    await recordAudit(null, { action: "login_failure", outcome: "failure", userId: user.id, metadata: { reason: "locked", lockedUntil: user.lockedUntil.toISOString() }, meta });
    return { ok: false, reason: "locked" };
  }

  if (!isPasswordRight) {
    // A lock that has run out starts a fresh count.
    const previous = user.lockedUntil ? 0 : user.failedLoginCount;
    const failures = previous + 1;
    const isLocking = failures >= MAX_FAILED_LOGINS;
    await prisma.$transaction(async (tx) => {
      await tx.user.update({
        where: { id: user.id },
        data: isLocking
          ? { failedLoginCount: 0, lockedUntil: new Date(Date.now() + LOCKOUT_MINUTES * 60_000) }
          : { failedLoginCount: failures, lockedUntil: null },
      });
      await recordAudit(tx, { action: "login_failure", outcome: "failure", userId: user.id, metadata: { reason: "wrong-password", failures }, meta });
      if (isLocking) {
        await recordAudit(tx, { action: "lockout", outcome: "failure", userId: user.id, metadata: { minutes: LOCKOUT_MINUTES, failures }, meta });
      }
    });

    return { ok: false, reason: isLocking ? "locked" : "invalid" };
  }

  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { failedLoginCount: 0, lockedUntil: null, lastLoginAt: new Date() } });
    await recordAudit(tx, { action: "login_success", userId: user.id, metadata: { method: "password" }, meta });
  });

  return { ok: true, actor: { id: user.id, email: user.email, name: user.name, role: user.role, piiAccess: user.piiAccess } };
}
