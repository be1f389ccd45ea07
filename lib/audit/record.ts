// The one writer of ExportAuditLog. Every record links to the previous one by hash.
import { lockAuditAppends } from "@/lib/audit/append-lock";
import { canonicalJson, computeRecordHash, GENESIS_HASH } from "@/lib/audit/hash";
import { scheduleHeadAnchor } from "@/lib/audit/head-anchor";
import type { TAuditAction, TAuditOutcome } from "@/lib/audit/actions";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma, type TDb, type TTx } from "@/lib/db/client";

export type TAuditEntry = {
  action: TAuditAction;
  outcome?: TAuditOutcome;
  userId?: string | null;
  /** For records without a user: the email typed at a failed login, "system", "cli". */
  actorLabel?: string | null;
  exportJobId?: string | null;
  patientId?: string | null;
  dataset?: string | null;
  templateId?: string | null;
  scheduleId?: string | null;
  /** Ids, counts, options and from → to diffs. Never patient names or other PII. */
  metadata?: Record<string, unknown> | null;
  meta?: TRequestMeta | null;
};

async function appendInTransaction(tx: TTx, entry: TAuditEntry) {
  // Serialize appends so two writers can never fork the chain.
  await lockAuditAppends(tx);

  const [last, checkpoint] = await Promise.all([
    tx.exportAuditLog.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } }),
    tx.auditCheckpoint.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } }),
  ]);
  const head = last ?? checkpoint ?? { seq: 0, hash: GENESIS_HASH };

  const record = {
    seq: head.seq + 1,
    action: entry.action,
    outcome: entry.outcome ?? "success",
    userId: entry.userId ?? null,
    actorLabel: entry.actorLabel ?? null,
    exportJobId: entry.exportJobId ?? null,
    patientId: entry.patientId ?? null,
    dataset: entry.dataset ?? null,
    templateId: entry.templateId ?? null,
    scheduleId: entry.scheduleId ?? null,
    ipAddress: entry.meta?.ipAddress ?? null,
    userAgent: entry.meta?.userAgent ?? null,
    requestId: entry.meta?.requestId ?? null,
    metadata: metadataOf(entry),
    createdAt: new Date(),
  };
  const hash = computeRecordHash(record, head.hash);

  return tx.exportAuditLog.create({
    // Metadata stored with sorted keys: on SQLite the stored text then is the canonical form the
    // hash covers, and the verifier can skip re-serializing it (computeStoredRecordHash).
    data: { ...record, metadata: record.metadata ? (JSON.parse(canonicalJson(record.metadata)) as object) : undefined, prevHash: head.hash, hash },
    select: { id: true, seq: true },
  });
}

/** The caller's details plus how the request came (via) and the client's own request id, if any. */
function metadataOf(entry: TAuditEntry): Record<string, unknown> | null {
  const extra = { ...(entry.meta?.via ? { via: entry.meta.via } : {}), ...(entry.meta?.clientRequestId ? { clientRequestId: entry.meta.clientRequestId } : {}) };
  if (!entry.metadata && Object.keys(extra).length === 0) return null;

  return { ...entry.metadata, ...extra };
}

/**
 * Appends one audit record. Pass the caller's transaction so the record commits or rolls
 * back with the change it describes; without one, the record gets its own transaction.
 */
export async function recordAudit(db: TDb | null, entry: TAuditEntry) {
  const created = db && db !== prisma && !("$transaction" in db)
    ? await appendInTransaction(db as TTx, entry)
    : await prisma.$transaction((tx) => appendInTransaction(tx, entry));
  // Only scheduled: the anchor is updated after the caller's transaction commits, off this path.
  scheduleHeadAnchor();

  return created;
}
