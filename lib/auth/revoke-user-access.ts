import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TDb } from "@/lib/db/client";

export type TRevokeUserAccessOptions = {
  /** Why, in a few words, for the audit trail: "password reset", "role changed", "disabled". */
  reason: string;
  /** The admin who made the change (null for the CLI). */
  actorId: string | null;
  meta?: TRequestMeta;
};

/**
 * Ends everything a user is signed in with: every web session (the session version moves on,
 * so each ends at its next request) and every API token still active (revoked, each audited).
 * Part of the caller's transaction: the change that calls for it and the revocation commit
 * together. A token or session made with the old credentials or role must not outlive them.
 */
export async function revokeUserAccess(tx: TDb, userId: string, { reason, actorId, meta }: TRevokeUserAccessOptions) {
  const now = new Date();
  await tx.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
  const active = await tx.apiToken.findMany({ where: { userId, revokedAt: null, expiresAt: { gt: now } }, select: { id: true } });
  await tx.apiToken.updateMany({ where: { id: { in: active.map((token) => token.id) }, revokedAt: null }, data: { revokedAt: now } });
  for (const token of active) {
    await recordAudit(tx, { action: "token_revoked", userId: actorId, actorLabel: actorId ? null : "cli", metadata: { tokenId: token.id, ownerId: userId, reason }, meta });
  }

  return { tokensRevoked: active.length };
}
