// Verifies the whole trail from the latest retention checkpoint. A large trail is checked in ranges
// concurrently (verify-parallel.ts): by the compute pool's workers on SQLite, by the database itself over
// several connections on PostgreSQL. A small one, and records appended meanwhile, on this thread.
// All paths read rows through the driver with the serialization built in SQL (verify-chain-reader.ts).
// A chain that verifies must also reach the head anchor kept outside the database (head-anchor.ts).
// The walk starts only from a checkpoint whose signature holds (checkpoint.ts): a row anyone with
// database access can insert would otherwise let them delete the newest records and still pass.
import { findLatestCheckpoint } from "@/lib/audit/checkpoint";
import { GENESIS_HASH } from "@/lib/audit/hash";
import { readHeadAnchor, type TAnchorRead } from "@/lib/audit/head-anchor";
import type { TVerifyResult } from "@/lib/audit/verify";
import { postgresChainReader, SEQ_MAX, SQLITE_RANGE_SQL, sqliteChainReader, verifySequential } from "@/lib/audit/verify-chain-reader";
import { defaultWorkerCount, poolRangeChecker, postgresRangeChecker, verifyRanges } from "@/lib/audit/verify-parallel";
import { computePool } from "@/lib/compute/run-compute-task";
import { isPostgres, prisma } from "@/lib/db/client";
import { sqliteFilePath } from "@/lib/db/migrate";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";

export type TChainVerifyResult = TVerifyResult & { checkpointSeq: number; anchoredSeq: number | null };

/** PostgreSQL: below this many records more connections cost more than they save. */
const PARALLEL_MIN_RECORDS = 100_000;
/** SQLite: from this many records (tens of ms of hashing) the walk leaves the web process's thread for the compute pool. */
const POOL_MIN_RECORDS = 5_000;
const RANGE_SIZE = 25_000;

export type TVerifyOptions = {
  /**
   * PostgreSQL: connections checking ranges (default one per core when the trail is large). SQLite:
   * any number above 1 checks ranges in the compute pool (its size is COMPUTE_WORKERS; default:
   * the pool once the trail is large enough to matter). 0 or 1 verifies on this thread.
   */
  workers?: number;
  /** Seqs per worker task (tests use tiny ranges to put a broken row at a range boundary). */
  rangeSize?: number;
};

/**
 * A walk that ended intact must still contain the anchored head: the anchor is read before the
 * walk starts, so records appended meanwhile only lengthen the chain past it.
 */
async function checkAgainstAnchor(walk: TVerifyResult, start: { seq: number; hash: string }, read: TAnchorRead): Promise<TChainVerifyResult> {
  const checkpointSeq = start.seq;
  if (read.status === "none") return { ...walk, checkpointSeq, anchoredSeq: null };
  if (read.status === "invalid") {
    // Only someone with access to DATA_DIR can spoil the file; the chain's own result still comes first.
    if (!walk.ok) return { ...walk, checkpointSeq, anchoredSeq: null };
    return { ok: false, count: walk.count, brokenAtSeq: walk.lastSeq, reason: `the head anchor ${read.file} ${read.reason}`, checkpointSeq, anchoredSeq: null };
  }
  const anchor = read.anchor;
  const anchoredSeq = anchor.seq;
  if (!walk.ok) return { ...walk, checkpointSeq, anchoredSeq };
  if (anchor.seq > walk.lastSeq && walk.count === 0 && start.seq === 0) {
    // No record and no checkpoint at all: a database created anew at the same URL (a deleted
    // SQLite file, a PostgreSQL database dropped and created again), or one emptied by someone who
    // could also switch the guard off. Both stay a failure, so emptying the tables is no way
    // around the anchor; the reason says which file to look at. scripts/prepare-db.ts moves the
    // file aside when it has just created the database's tables (retireStaleHeadAnchor).
    return {
      ok: false, count: 0, brokenAtSeq: 1, checkpointSeq, anchoredSeq,
      reason: `the head anchor ${read.file} (record ${anchor.seq}, of ${anchor.anchoredAt}) belongs to a database that is no longer there: this one holds no audit records and no retention checkpoint. If the database was created anew on purpose, move that file aside; otherwise all ${anchor.seq} records were removed`,
    };
  }
  if (anchor.seq > walk.lastSeq) {
    return {
      ok: false, count: walk.count, brokenAtSeq: walk.lastSeq + 1, checkpointSeq, anchoredSeq,
      reason: `the chain ends at record ${walk.lastSeq} but record ${anchor.seq} was written (head anchor of ${anchor.anchoredAt}): the newest ${anchor.seq - walk.lastSeq} records are missing`,
    };
  }
  // At or below the checkpoint the record was purged by retention; the checkpoint vouches for it.
  const anchoredHash = anchor.seq === start.seq ? start.hash
    : anchor.seq > start.seq ? (await prisma.exportAuditLog.findUnique({ where: { seq: anchor.seq }, select: { hash: true } }))?.hash
      : anchor.hash;
  if (anchoredHash !== anchor.hash) {
    return {
      ok: false, count: walk.count, brokenAtSeq: anchor.seq, checkpointSeq, anchoredSeq,
      reason: `record ${anchor.seq} is not the one the head anchor of ${anchor.anchoredAt} records: the newest records were removed and rewritten`,
    };
  }

  return { ...walk, checkpointSeq, anchoredSeq };
}

/** Verifies the chain in sequence order from the latest checkpoint up to at least the anchored head; names the first broken record. */
export async function verifyAuditChain(options: TVerifyOptions = {}): Promise<TChainVerifyResult> {
  const [checkpoint, anchor] = await Promise.all([findLatestCheckpoint(prisma), readHeadAnchor()]);
  if (checkpoint && !checkpoint.isSignatureValid) {
    return {
      ok: false, count: 0, brokenAtSeq: checkpoint.seq, checkpointSeq: checkpoint.seq, anchoredSeq: anchor.status === "ok" ? anchor.anchor.seq : null,
      reason: `the retention checkpoint at record ${checkpoint.seq} is not signed with AUDIT_KEY (inserted or edited outside a purge, or AUDIT_KEY changed): records up to it may have been deleted without a purge`,
    };
  }
  const start = checkpoint ? { seq: checkpoint.seq, hash: checkpoint.hash } : { seq: 0, hash: GENESIS_HASH };

  return checkAgainstAnchor(await walkChain(start, options), start, anchor);
}

async function walkChain(start: { seq: number; hash: string }, options: TVerifyOptions): Promise<TVerifyResult> {
  const url = env().DATABASE_URL;
  const reader = isPostgres() ? await postgresChainReader(url) : sqliteChainReader(sqliteFilePath(url));
  try {
    const maxSeq = await reader.maxSeq();
    const records = maxSeq - start.seq;
    const isLarge = records >= (isPostgres() ? PARALLEL_MIN_RECORDS : POOL_MIN_RECORDS);
    const workers = options.workers ?? (isLarge ? Math.max(2, defaultWorkerCount()) : 0);
    if (workers > 1 && maxSeq > start.seq) {
      let parallel: TVerifyResult | null = null;
      try {
        const checker = isPostgres() ? await postgresRangeChecker(url, workers) : poolRangeChecker({ file: sqliteFilePath(url), sql: SQLITE_RANGE_SQL }, computePool());
        try {
          parallel = await verifyRanges(checker, reader, start, maxSeq, options.rangeSize ?? RANGE_SIZE);
        } finally {
          await checker.close();
        }
      } catch (error) {
        // The pool or the connections unavailable (no native driver in a worker, a task over its
        // limits, the connection limit...): one thread gives the same answer.
        logger.warn("audit verify: concurrent range checks failed; verifying on one thread", { error });
      }
      if (parallel && !parallel.ok) return parallel;
      if (parallel?.ok) {
        // Records appended while the workers ran continue the chain from where they stopped.
        const rest = await verifySequential(reader, { seq: parallel.lastSeq, hash: parallel.lastHash }, SEQ_MAX);
        return { ...rest, count: parallel.count + rest.count };
      }
    }

    return await verifySequential(reader, start, SEQ_MAX);
  } finally {
    await reader.close();
  }
}
