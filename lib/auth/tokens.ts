import { createHash, randomBytes } from "node:crypto";

import { loadActiveActor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { AppError, invalidInput } from "@/lib/errors/app-error";
import { getSettings } from "@/lib/settings/settings";

const TOKEN_PREFIX = "cex_";
/** A token's lifetime when none is asked for (or the settings' maximum, if that is shorter). */
export const DEFAULT_TOKEN_DAYS = 90;

export function hashToken(token: string) {
  return createHash("sha256").update(token).digest("hex");
}

export type TCreateTokenOptions = {
  userId: string;
  name: string;
  days?: number;
  createdById: string | null;
  meta?: TRequestMeta;
};

/**
 * Creates a token and returns it once; only its hash is stored. Its lifetime is at most the
 * `api_token_max_days` setting, whoever asks (API, admin console, CLI).
 */
export async function createApiToken({ userId, name, days, createdById, meta }: TCreateTokenOptions) {
  const { api_token_max_days: maxDays } = await getSettings();
  const lifetime = days ?? Math.min(DEFAULT_TOKEN_DAYS, maxDays);
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > maxDays) {
    throw invalidInput("days", `must be a whole number from 1 to ${maxDays} (the longest token lifetime the settings allow)`);
  }
  const expiresAt = new Date(Date.now() + lifetime * 86_400_000);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");

  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { userId, name, tokenHash: hashToken(token), prefix: token.slice(0, 10), expiresAt, createdById },
      select: { id: true, name: true, prefix: true, expiresAt: true, createdAt: true },
    });
    await recordAudit(tx, {
      action: "token_created",
      userId: createdById,
      actorLabel: createdById ? null : "cli",
      metadata: { tokenId: created.id, ownerId: userId, name, expiresAt: expiresAt.toISOString() },
      meta,
    });

    return created;
  });

  return { ...row, token };
}

/**
 * Revokes a token: the owner's own, or anyone's for an admin, as the policy decides (a refusal
 * is audited). Revoking an already revoked token changes nothing and writes nothing.
 */
export async function revokeApiToken({ tokenId, actor, meta }: { tokenId: string; actor: TActor; meta?: TRequestMeta }) {
  const token = await prisma.apiToken.findUnique({ where: { id: tokenId }, select: { id: true, userId: true, revokedAt: true } });
  if (!token) throw new AppError("NOT_FOUND", "Token not found");
  // Asked outside the revoking transaction: authorize writes its denial in a transaction of its own.
  await authorize(actor, { action: "token.manage", ownerId: token.userId }, { meta, details: { tokenId, ownerId: token.userId } });
  if (token.revokedAt) return;

  await prisma.$transaction(async (tx) => {
    // Conditional, so two revokes racing each other audit one revocation, not two.
    const { count } = await tx.apiToken.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) return;
    await recordAudit(tx, { action: "token_revoked", userId: actor.id, metadata: { tokenId, ownerId: token.userId }, meta });
  });
}

export type TTokenCheck = { ok: true; actor: TActor } | { ok: false; reason: "unknown" | "expired" | "revoked" | "user-disabled" };

export async function authenticateToken(token: string): Promise<TTokenCheck> {
  if (!token.startsWith(TOKEN_PREFIX)) return { ok: false, reason: "unknown" };
  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, userId: true, expiresAt: true, revokedAt: true, lastUsedAt: true },
  });
  if (!row) return { ok: false, reason: "unknown" };
  if (row.revokedAt) return { ok: false, reason: "revoked" };
  if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: "expired" };
  const actor = await loadActiveActor(row.userId);
  if (!actor) return { ok: false, reason: "user-disabled" };
  // Touch lastUsedAt at most once a minute: a busy script should not turn reads into writes.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }

  return { ok: true, actor };
}
