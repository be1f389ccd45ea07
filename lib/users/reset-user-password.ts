import { z } from "zod";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { hashPassword, PASSWORD_MIN_LENGTH } from "@/lib/auth/password";
import { prisma } from "@/lib/db/client";
import { notFound } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";

export const ZResetPassword = z.object({
  password: z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(200),
});

/**
 * An admin sets a new password for a user; it also lifts a lockout and ends the user's web
 * sessions signed in before it (lib/auth/actor.ts). Audited as `user_updated`.
 */
export async function resetUserPassword(userId: string, input: { password: string }, actor: { userId: string }, meta?: TRequestMeta) {
  const { password } = parseOrThrow(ZResetPassword, input, "Invalid password");
  const passwordHash = await hashPassword(password);

  await prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
    if (!user) throw notFound("User");
    await tx.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: new Date(), failedLoginCount: 0, lockedUntil: null } });
    await recordAudit(tx, { action: "user_updated", userId: actor.userId, metadata: { targetUserId: userId, changes: { password: "reset" } }, meta });
  });
}
