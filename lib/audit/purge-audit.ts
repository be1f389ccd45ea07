// Retention purge: removes the oldest audit records and leaves a signed checkpoint (the last
// purged record's seq and hash) from which the remaining chain still verifies. The database
// triggers let DELETE through only for records at or below the newest checkpoint, so the
// checkpoint must be written first, in the same transaction.
import { createHmac, timingSafeEqual } from "node:crypto";

import { canonicalJson } from "@/lib/audit/hash";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { isPostgres, prisma, type TTx } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError, invalidInput } from "@/lib/http/errors";
import { getSettings } from "@/lib/settings/settings";

/** Must match AUDIT_APPEND_LOCK in lib/audit/record.ts: the purge and the writer exclude each other. */
const AUDIT_APPEND_LOCK = 4_210_017;

export type TCheckpointFields = { seq: number; hash: string; purgedCount: number; createdAt: Date };

/** HMAC-SHA256 with AUDIT_KEY over the checkpoint's fields: a forged checkpoint cannot hide a cut. */
export function signCheckpoint(fields: TCheckpointFields): string {
  const body = canonicalJson({ seq: fields.seq, hash: fields.hash, purgedCount: fields.purgedCount, createdAt: fields.createdAt.toISOString() });

  return createHmac("sha256", env().AUDIT_KEY).update(body).digest("hex");
}

export function isCheckpointSignatureValid(fields: TCheckpointFields & { signature: string }): boolean {
  const expected = Buffer.from(signCheckpoint(fields), "hex");
  const given = Buffer.from(fields.signature, "hex");

  return expected.length === given.length && timingSafeEqual(expected, given);
}

export type TPurgeAuditOptions = {
  /** Records created before this instant go. Without it: now minus the retention years setting. */
  cutoff?: Date;
  actor: { userId: string | null; label?: string };
  meta?: TRequestMeta;
  now?: Date;
};

export type TPurgeAuditResult = { purgedCount: number; checkpointSeq: number | null; cutoff: Date };

async function lockAppends(tx: TTx) {
  if (isPostgres()) {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`);
  } else {
    await tx.$executeRawUnsafe(`UPDATE "Setting" SET "key" = "key" WHERE 0`);
  }
}

export async function purgeAuditBefore({ cutoff, actor, meta, now = new Date() }: TPurgeAuditOptions): Promise<TPurgeAuditResult> {
  const settings = await getSettings();
  const retentionCutoff = new Date(now);
  retentionCutoff.setUTCFullYear(retentionCutoff.getUTCFullYear() - settings.audit_retention_years);
  const effectiveCutoff = cutoff ?? retentionCutoff;
  if (Number.isNaN(effectiveCutoff.getTime())) throw invalidInput("cutoff", "must be a valid date");
  if (effectiveCutoff.getTime() > now.getTime()) throw invalidInput("cutoff", "must not be in the future");

  return prisma.$transaction(async (tx) => {
    await lockAppends(tx);
    const lastPurged = await tx.exportAuditLog.findFirst({
      where: { createdAt: { lt: effectiveCutoff } },
      orderBy: { seq: "desc" },
      select: { seq: true, hash: true },
    });
    if (!lastPurged) return { purgedCount: 0, checkpointSeq: null, cutoff: effectiveCutoff };

    // Everything up to that record goes, even a rare later-seq record with an earlier clock,
    // so the remaining chain has no gap.
    const purgedCount = await tx.exportAuditLog.count({ where: { seq: { lte: lastPurged.seq } } });
    const createdAt = new Date();
    const fields = { seq: lastPurged.seq, hash: lastPurged.hash, purgedCount, createdAt };
    await tx.auditCheckpoint.create({ data: { ...fields, signature: signCheckpoint(fields) } });
    const deleted = await tx.exportAuditLog.deleteMany({ where: { seq: { lte: lastPurged.seq } } });
    if (deleted.count !== purgedCount) throw new AppError("CONFLICT", "The audit trail changed during the purge; nothing was purged");

    await recordAudit(tx, {
      action: "audit_purged",
      userId: actor.userId,
      actorLabel: actor.label ?? null,
      metadata: {
        cutoff: effectiveCutoff.toISOString(),
        purgedCount,
        checkpointSeq: lastPurged.seq,
        retentionYears: cutoff ? null : settings.audit_retention_years,
      },
      meta,
    });

    return { purgedCount, checkpointSeq: lastPurged.seq, cutoff: effectiveCutoff };
  });
}

/** The newest checkpoint and whether its signature holds; null when nothing was ever purged. */
export async function checkLatestCheckpoint() {
  const checkpoint = await prisma.auditCheckpoint.findFirst({ orderBy: { seq: "desc" } });
  if (!checkpoint) return null;

  return { seq: checkpoint.seq, purgedCount: checkpoint.purgedCount, createdAt: checkpoint.createdAt.toISOString(), isSignatureValid: isCheckpointSignatureValid(checkpoint) };
}

/**
 * The chain walk plus the checkpoint's signature, as the admin page and API report it. An
 * intact walk is recorded as `audit_verified`; a broken one is reported, not written over.
 */
export async function verifyAuditTrail({ actorId, meta }: { actorId: string; meta?: TRequestMeta }) {
  const [result, checkpoint] = await Promise.all([verifyAuditChain(), checkLatestCheckpoint()]);
  const isCheckpointOk = checkpoint === null || checkpoint.isSignatureValid;
  const isIntact = result.ok && isCheckpointOk;
  if (isIntact) await recordAudit(null, { action: "audit_verified", userId: actorId, metadata: { count: result.count, lastSeq: result.lastSeq }, meta });

  return {
    ok: isIntact,
    count: result.count,
    checkpoint,
    ...(result.ok ? { last_seq: result.lastSeq } : { broken_at_seq: result.brokenAtSeq, reason: result.reason }),
    ...(result.ok && !isCheckpointOk ? { broken_at_seq: checkpoint!.seq, reason: "the retention checkpoint's signature does not match" } : {}),
  };
}
