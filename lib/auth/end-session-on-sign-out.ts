import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";

/**
 * Sign-out, on the server: moves the user's session version on, so the session cookie (and any
 * copy of it) stops working, not just the browser's. The version is per user, so signing out
 * ends the user's sessions on every device. Only a session that is still current can do this:
 * a copied cookie that has already ended cannot sign its owner out again and again.
 */
export async function endSessionOnSignOut(userId: string, sessionVersion: number, meta?: TRequestMeta): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({ where: { id: userId, sessionVersion }, data: { sessionVersion: { increment: 1 } } });
    if (count === 0) return false;
    await recordAudit(tx, { action: "logout", userId, metadata: { method: "sign-out" }, meta });

    return true;
  });
}
