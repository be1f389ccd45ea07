// Verifies the whole trail from the latest retention checkpoint. A large trail is checked in ranges
// concurrently (verify-parallel.ts): by worker threads on SQLite, by the database itself over
// several connections on PostgreSQL. A small one, and records appended meanwhile, on this thread.
// All paths read rows through the driver with the serialization built in SQL (verify-chain-reader.ts).
import { GENESIS_HASH } from "@/lib/audit/hash";
import type { TVerifyResult } from "@/lib/audit/verify";
import { postgresChainReader, SEQ_MAX, SQLITE_RANGE_SQL, sqliteChainReader, verifySequential } from "@/lib/audit/verify-chain-reader";
import { defaultWorkerCount, postgresRangeChecker, verifyRanges, workerRangeChecker } from "@/lib/audit/verify-parallel";
import { isPostgres, prisma } from "@/lib/db/client";
import { sqliteFilePath } from "@/lib/db/migrate";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";

export type TChainVerifyResult = TVerifyResult & { checkpointSeq: number };

/** Below this many records a worker's start-up costs more than it saves. */
const PARALLEL_MIN_RECORDS = 100_000;
const RANGE_SIZE = 25_000;

export type TVerifyOptions = {
  /** Worker threads (SQLite) or connections (PostgreSQL); 0 or 1 verifies on this thread. Default: one per core when the trail is large. */
  workers?: number;
  /** Seqs per worker task (tests use tiny ranges to put a broken row at a range boundary). */
  rangeSize?: number;
};

/** Verifies the chain in sequence order from the latest checkpoint; names the first broken record. */
export async function verifyAuditChain(options: TVerifyOptions = {}): Promise<TChainVerifyResult> {
  const checkpoint = await prisma.auditCheckpoint.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const start = checkpoint ?? { seq: 0, hash: GENESIS_HASH };
  const url = env().DATABASE_URL;
  const reader = isPostgres() ? await postgresChainReader(url) : sqliteChainReader(sqliteFilePath(url));
  try {
    const maxSeq = await reader.maxSeq();
    const workers = options.workers ?? (maxSeq - start.seq >= PARALLEL_MIN_RECORDS ? defaultWorkerCount() : 0);
    if (workers > 1 && maxSeq > start.seq) {
      let parallel: TVerifyResult | null = null;
      try {
        const checker = isPostgres() ? await postgresRangeChecker(url, workers) : workerRangeChecker({ file: sqliteFilePath(url), sql: SQLITE_RANGE_SQL }, workers);
        try {
          parallel = await verifyRanges(checker, reader, start, maxSeq, options.rangeSize ?? RANGE_SIZE);
        } finally {
          await checker.close();
        }
      } catch (error) {
        // Workers or connections unavailable (no native driver in a worker, a bundler quirk, the
        // connection limit...): one thread gives the same answer.
        logger.warn("audit verify: concurrent range checks failed; verifying on one thread", { error });
      }
      if (parallel && !parallel.ok) return { ...parallel, checkpointSeq: start.seq };
      if (parallel?.ok) {
        // Records appended while the workers ran continue the chain from where they stopped.
        const rest = await verifySequential(reader, { seq: parallel.lastSeq, hash: parallel.lastHash }, SEQ_MAX);
        const count = parallel.count + rest.count;
        return { ...rest, count, checkpointSeq: start.seq };
      }
    }

    return { ...(await verifySequential(reader, start, SEQ_MAX)), checkpointSeq: start.seq };
  } finally {
    await reader.close();
  }
}
