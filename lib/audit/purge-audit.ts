// Retention purge: removes the oldest audit records and leaves a signed checkpoint (the last
// purged record's seq and hash) from which the remaining chain still verifies. The database
// triggers let DELETE through only for records at or below the newest checkpoint, so the
// checkpoint must be written first, in the same transaction.
import { lockAuditAppends } from "@/lib/audit/append-lock";
import { findLatestCheckpoint, signCheckpoint } from "@/lib/audit/checkpoint";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { AppError, invalidInput } from "@/lib/errors/app-error";
import { getSettings } from "@/lib/settings/settings";

// Signing moved to checkpoint.ts (the chain walk and the head anchor check it too); re-exported for callers.
export { isCheckpointSignatureValid, signCheckpoint, type TCheckpointFields } from "@/lib/audit/checkpoint";

export type TPurgeAuditOptions = {
  /** Records created before this instant go; it may not be later than the retention horizon. Without it: the horizon. */
  cutoff?: Date;
  actor: { userId: string | null; label?: string };
  meta?: TRequestMeta;
  /** The clock, for tests that let years pass; callers on behalf of a user never pass it. */
  now?: Date;
};

export type TPurgeAuditResult = { purgedCount: number; checkpointSeq: number | null; cutoff: Date };

/** The latest cutoff a purge may use: records younger than the retention period are kept (HIPAA: six years). */
export function retentionHorizon(now: Date, retentionYears: number): Date {
  const horizon = new Date(now);
  horizon.setUTCFullYear(horizon.getUTCFullYear() - retentionYears);

  return horizon;
}

export async function purgeAuditBefore({ cutoff, actor, meta, now = new Date() }: TPurgeAuditOptions): Promise<TPurgeAuditResult> {
  const settings = await getSettings();
  const horizon = retentionHorizon(now, settings.audit_retention_years);
  const effectiveCutoff = cutoff ?? horizon;
  if (Number.isNaN(effectiveCutoff.getTime())) throw invalidInput("cutoff", "must be a valid date");
  if (effectiveCutoff.getTime() > horizon.getTime()) {
    throw invalidInput(
      "cutoff",
      `must not be later than ${horizon.toISOString()}: audit records are kept for ${settings.audit_retention_years} years (setting audit_retention_years), so that is the earliest allowed purge horizon`,
    );
  }

  return prisma.$transaction(async (tx) => {
    await lockAuditAppends(tx);
    // The purge stops before the first record that is still within retention, even if a later
    // record carries an older clock (another process's clock skew): no kept record is ever
    // removed, and the remaining chain still starts right after the checkpoint.
    const firstKept = await tx.exportAuditLog.findFirst({ where: { createdAt: { gte: effectiveCutoff } }, orderBy: { seq: "asc" }, select: { seq: true } });
    const lastPurged = await tx.exportAuditLog.findFirst({
      where: { createdAt: { lt: effectiveCutoff }, ...(firstKept ? { seq: { lt: firstKept.seq } } : {}) },
      orderBy: { seq: "desc" },
      select: { seq: true, hash: true },
    });
    if (!lastPurged) return { purgedCount: 0, checkpointSeq: null, cutoff: effectiveCutoff };

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
  const checkpoint = await findLatestCheckpoint(prisma);
  if (!checkpoint) return null;

  return { seq: checkpoint.seq, purgedCount: checkpoint.purgedCount, createdAt: checkpoint.createdAt.toISOString(), isSignatureValid: checkpoint.isSignatureValid };
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
    anchored_seq: result.anchoredSeq,
    ...(result.ok ? { last_seq: result.lastSeq } : { broken_at_seq: result.brokenAtSeq, reason: result.reason }),
    ...(result.ok && !isCheckpointOk ? { broken_at_seq: checkpoint!.seq, reason: "the retention checkpoint's signature does not match" } : {}),
  };
}
