// Verifies the whole trail from the latest retention checkpoint: on worker threads when the trail
// is large and there are cores to spare (verify-parallel.ts), else on this thread. Both read rows
// through the driver with the serialization built in SQL (verify-chain-reader.ts).
import { GENESIS_HASH } from "@/lib/audit/hash";
import type { TVerifyResult } from "@/lib/audit/verify";
import { PG_RANGE_SQL, postgresChainReader, SEQ_MAX, SQLITE_RANGE_SQL, sqliteChainReader, verifySequential } from "@/lib/audit/verify-chain-reader";
import { defaultWorkerCount, verifyInParallel, type TWorkerTarget } from "@/lib/audit/verify-parallel";
import { isPostgres, prisma } from "@/lib/db/client";
import { sqliteFilePath } from "@/lib/db/migrate";
import { env } from "@/lib/env";

export type TChainVerifyResult = TVerifyResult & { checkpointSeq: number };

/** Below this many records a worker's start-up costs more than it saves. */
const PARALLEL_MIN_RECORDS = 100_000;
const RANGE_SIZE = 25_000;

export type TVerifyOptions = {
  /** Worker threads; 0 or 1 verifies on this thread. Default: one per core when the trail is large. */
  workers?: number;
  /** Seqs per worker task (tests use tiny ranges to put a broken row at a range boundary). */
  rangeSize?: number;
};

/** Verifies the chain in sequence order from the latest checkpoint; names the first broken record. */
export async function verifyAuditChain(options: TVerifyOptions = {}): Promise<TChainVerifyResult> {
  const checkpoint = await prisma.auditCheckpoint.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const start = checkpoint ?? { seq: 0, hash: GENESIS_HASH };
  const url = env().DATABASE_URL;
  const target: TWorkerTarget = isPostgres() ? { kind: "pg", url, sql: PG_RANGE_SQL } : { kind: "sqlite", file: sqliteFilePath(url), sql: SQLITE_RANGE_SQL };
  const reader = target.kind === "pg" ? await postgresChainReader(target.url) : sqliteChainReader(target.file);
  try {
    const maxSeq = await reader.maxSeq();
    const workers = options.workers ?? (maxSeq - start.seq >= PARALLEL_MIN_RECORDS ? defaultWorkerCount() : 0);
    if (workers > 1 && maxSeq > start.seq) {
      let parallel: TVerifyResult | null = null;
      try {
        parallel = await verifyInParallel(target, reader, start, maxSeq, { workers, rangeSize: options.rangeSize ?? RANGE_SIZE });
      } catch (error) {
        // Workers unavailable (no native driver in a worker, a bundler quirk...): one thread gives the same answer.
        console.warn(`audit verify: worker threads failed (${error instanceof Error ? error.message : String(error)}); verifying on one thread`);
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
