import { z } from "zod";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { accountThrottlePrefix } from "@/lib/auth/login-throttle";
import { assertStrongPassword, hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/auth/password";
import { revokeUserAccess } from "@/lib/auth/revoke-user-access";
import { prisma } from "@/lib/db/client";
import { notFound } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";

export const ZResetPassword = z.object({
  password: z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`),
});

/**
 * An admin sets a new password for a user; it also lifts a lockout, ends every web session of the
 * user and revokes their API tokens (a reset after a suspected compromise must shut the intruder
 * out, not only change the next sign-in). The new password must pass the strength rule, judged
 * against this user's name and email. Audited as `user_updated`, each token as `token_revoked`.
 */
export async function resetUserPassword(userId: string, input: { password: string }, actor: { userId: string }, meta?: TRequestMeta) {
  const { password } = parseOrThrow(ZResetPassword, input, "Invalid password");
  const owner = await prisma.user.findUnique({ where: { id: userId }, select: { email: true, name: true } });
  if (!owner) throw notFound("User");
  assertStrongPassword(password, owner);
  const passwordHash = await hashPassword(password);

  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: new Date() } });
    // Lifts every sign-in lock on the account (from any address); address-wide pauses stay.
    await tx.loginThrottle.deleteMany({ where: { key: { startsWith: accountThrottlePrefix(userId) } } });
    const { tokensRevoked } = await revokeUserAccess(tx, userId, { reason: "password reset", actorId: actor.userId, meta });
    await recordAudit(tx, { action: "user_updated", userId: actor.userId, metadata: { targetUserId: userId, changes: { password: "reset" }, sessionsEnded: true, tokensRevoked }, meta });
  });
}
