// Chain verification over seq ranges checked concurrently. Given the stored values, the check is
// embarrassingly parallel: a row's hash depends only on its own content and its stored prevHash,
// and the link check is stored prevHash[i] == stored hash[i - 1]. So each range is checked from
// its own first row; verifyRanges stitches the ranges in seq order (first seq and first prevHash
// against the previous range's end) and re-hashes "unsure" rows with the writer's serializer, so
// the reported failure is the first one.
//
// Who checks a range:
// - SQLite: the compute pool (lib/compute), each worker with its own read-only connection, hashing
//   the SQL-built bodies.
// - PostgreSQL: the database itself, over several connections (PG_CHECK_RANGE_SQL): it builds,
//   hashes and links every row and sends back only a range's ends and the rows that did not check
//   out. Shipping a million rows to JavaScript to hash them cost more than the hashing.
import { availableParallelism } from "node:os";

import { segmentFromFlaggedRows, type TFlaggedRow, type TRangeResult, type TWorkerTarget } from "@/lib/audit/chain-segment";
import { firstContentFailure, PG_CHECK_RANGE_SQL, type TChainReader } from "@/lib/audit/verify-chain-reader";
import type { TVerifyResult } from "@/lib/audit/verify";
import type { TComputePool } from "@/lib/compute/compute-pool";
import { connectPostgres, queryRows } from "@/lib/db/direct-connection";

/** Checks seq ranges (after, upTo], up to `capacity` at once. */
export type TRangeChecker = {
  capacity: number;
  check(after: number, upTo: number): Promise<TRangeResult>;
  close(): Promise<void>;
};

export function defaultWorkerCount() {
  return Math.min(8, availableParallelism());
}

/** The compute pool checks each range (compute/tasks/verify-audit-range.task.ts), two per worker so none waits for work. */
export function poolRangeChecker(target: TWorkerTarget, pool: TComputePool): TRangeChecker {
  return {
    capacity: pool.workers * 2,
    check: (after, upTo) => pool.run("audit.verify-range", { ...target, after, upTo }),
    // The pool is the process's; its workers keep their read-only connections for the next verification.
    close: async () => undefined,
  };
}

/** The database checks each range (PG_CHECK_RANGE_SQL), `connections` ranges at a time. */
export async function postgresRangeChecker(url: string, connections: number): Promise<TRangeChecker> {
  const connecting = await Promise.allSettled(Array.from({ length: connections }, () => connectPostgres(url)));
  const clients = connecting.flatMap((attempt) => (attempt.status === "fulfilled" ? [attempt.value] : []));
  const refused = connecting.find((attempt) => attempt.status === "rejected");
  if (refused) {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    throw refused.reason;
  }
  let nextClient = 0;

  return {
    // Two per connection: the next range is queued while the server answers the current one.
    capacity: connections * 2,
    check: async (after, upTo) => {
      const client = clients[nextClient++ % clients.length]!;
      const rows = await queryRows<TFlaggedRow>(client, { text: PG_CHECK_RANGE_SQL, values: [after, upTo], rowMode: "array" });
      const segment = segmentFromFlaggedRows(rows, after);
      return { ...segment, firstSeq: rows[0]?.[0] ?? null, firstPrevHash: rows[0]?.[1] ?? null };
    },
    close: async () => {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    },
  };
}

/**
 * Verifies (start.seq, upTo] over ranges of `rangeSize` seqs checked by `checker`, stitched in seq
 * order. `reader` (the caller's connection) re-hashes unsure rows. Throws if the checker fails
 * (the caller falls back to the one-thread path); a broken chain is a result, not an error.
 */
export async function verifyRanges(
  checker: TRangeChecker,
  reader: TChainReader,
  start: { seq: number; hash: string },
  upTo: number,
  rangeSize: number,
): Promise<TVerifyResult> {
  const ranges: { after: number; upTo: number }[] = [];
  for (let after = start.seq; after < upTo; after += rangeSize) ranges.push({ after, upTo: Math.min(upTo, after + rangeSize) });

  // Ranges are launched in seq order and stitched in the same order, `capacity` in flight.
  const inFlight: Promise<TRangeResult>[] = [];
  let launched = 0;
  const launch = () => {
    if (launched >= ranges.length) return;
    const range = ranges[launched++]!;
    const result = checker.check(range.after, range.upTo);
    // A failure nobody awaits yet (a later range, or one after the broken record) must not crash the process.
    result.catch(() => undefined);
    inFlight.push(result);
  };
  for (let i = 0; i < checker.capacity; i++) launch();

  let expectedSeq = start.seq + 1;
  let prevHash = start.hash;
  let count = 0;
  while (inFlight.length > 0) {
    const range = await inFlight.shift()!;
    launch();
    if (range.firstSeq === null) continue;
    if (range.firstSeq !== expectedSeq) {
      const missing = range.firstSeq > expectedSeq;
      return {
        ok: false, count, brokenAtSeq: Math.min(range.firstSeq, expectedSeq),
        reason: missing ? `record ${expectedSeq} is missing (next is ${range.firstSeq})` : `record ${range.firstSeq} is out of order`,
      };
    }
    if (range.firstPrevHash !== prevHash) return { ok: false, count, brokenAtSeq: expectedSeq, reason: "link to the previous record does not match" };
    const content = await firstContentFailure(reader, range.unsure);
    if (content) return { ok: false, count: count + (content.brokenAtSeq - expectedSeq), ...content };
    count += range.count;
    if (range.failure) return { ok: false, count, ...range.failure };
    expectedSeq = range.lastSeq + 1;
    prevHash = range.lastHash;
  }

  return { ok: true, count, lastSeq: expectedSeq - 1, lastHash: prevHash };
}
