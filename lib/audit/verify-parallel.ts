// Chain verification spread over worker threads. Given the stored values, the check is
// embarrassingly parallel: a row's hash depends only on its own content and its stored prevHash,
// and the link check is stored prevHash[i] == stored hash[i - 1]. So each worker reads seq ranges
// through its own connection and checks them from the range's first row; the main thread stitches
// the ranges in seq order (first seq and first prevHash against the previous range's end) and
// re-hashes "unsure" rows with the writer's serializer, so the reported failure is the first one.
//
// The worker's code is sent as source text (eval) built from self-contained functions: a worker
// file would need its own build step for Next.js, tsx and vitest alike.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

import { checkChainSegment, type TChainRow, type TSegmentResult } from "@/lib/audit/chain-segment";
import { firstContentFailure, type TChainReader } from "@/lib/audit/verify-chain-reader";
import type { TVerifyResult } from "@/lib/audit/verify";

export type TWorkerTarget = { kind: "sqlite"; file: string; sql: string } | { kind: "pg"; url: string; sql: string };

type TRangeResult = TSegmentResult & { firstSeq: number | null; firstPrevHash: string | null };
type TWorkerReply = { id: number; result?: TRangeResult; error?: string };

/** Runs inside the worker. Self-contained: it only sees its parameters. */
function workerMain(load: (id: string) => unknown, check: typeof checkChainSegment) {
  const { parentPort, workerData } = load("node:worker_threads") as typeof import("node:worker_threads");
  const { hash } = load("node:crypto") as typeof import("node:crypto");
  const target = workerData as TWorkerTarget;
  const sha256Hex = (text: string) => hash("sha256", text, "hex");
  let query: (after: number, upTo: number) => Promise<TChainRow[]>;
  if (target.kind === "sqlite") {
    const Database = load("better-sqlite3") as typeof import("better-sqlite3");
    const db = new Database(target.file, { readonly: true, fileMustExist: true });
    const statement = db.prepare(target.sql).raw(true);
    query = async (after, upTo) => statement.all(after, upTo, upTo - after) as TChainRow[];
  } else {
    const pg = load("pg") as typeof import("pg");
    const client = new pg.Client({ connectionString: target.url });
    const connected = client.connect();
    query = async (after, upTo) => {
      await connected;
      return (await client.query<TChainRow>({ text: target.sql, values: [after, upTo, upTo - after], rowMode: "array" })).rows;
    };
  }
  parentPort!.on("message", (message: { id: number; after: number; upTo: number }) => {
    query(message.after, message.upTo).then(
      (rows) => {
        const first = rows[0];
        // Checked from its own first row: whether that row follows the previous range is the main thread's stitch.
        const result = first ? check(rows, first[0], first[1], sha256Hex) : check(rows, message.after + 1, "", sha256Hex);
        parentPort!.postMessage({ id: message.id, result: { ...result, firstSeq: first ? first[0] : null, firstPrevHash: first ? first[1] : null } });
      },
      (error: unknown) => parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

const WORKER_SOURCE = `"use strict";\nvar __name = (target) => target;\n(${workerMain.toString()})(require, ${checkChainSegment.toString()});`;

export function defaultWorkerCount() {
  return Math.min(8, availableParallelism());
}

/**
 * Verifies (start.seq, upTo] with `workers` threads over ranges of `rangeSize` seqs. `reader` (the
 * main thread's connection) re-hashes unsure rows. Throws if a worker fails (the caller falls back
 * to the one-thread path); a broken chain is a result, not an error.
 */
export async function verifyInParallel(
  target: TWorkerTarget,
  reader: TChainReader,
  start: { seq: number; hash: string },
  upTo: number,
  { workers, rangeSize }: { workers: number; rangeSize: number },
): Promise<TVerifyResult> {
  const ranges: { after: number; upTo: number }[] = [];
  for (let after = start.seq; after < upTo; after += rangeSize) ranges.push({ after, upTo: Math.min(upTo, after + rangeSize) });

  const settle: { resolve: (result: TRangeResult) => void; reject: (error: Error) => void }[] = [];
  const results = ranges.map((_, id) => new Promise<TRangeResult>((resolve, reject) => (settle[id] = { resolve, reject })));
  // A rejection nobody awaits yet (a later range) must not crash the process.
  for (const result of results) result.catch(() => undefined);
  const threads: Worker[] = [];
  let nextRange = 0;
  const dispatch = (worker: Worker) => {
    if (nextRange >= ranges.length) return;
    const id = nextRange++;
    worker.postMessage({ id, ...ranges[id]! });
  };
  const failAll = (error: Error) => settle.forEach((entry) => entry.reject(error));

  try {
    for (let i = 0; i < Math.min(workers, ranges.length); i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: target });
      threads.push(worker);
      worker.on("message", (reply: TWorkerReply) => {
        if (reply.error !== undefined || !reply.result) return failAll(new Error(`audit verify worker: ${reply.error}`));
        settle[reply.id]!.resolve(reply.result);
        dispatch(worker);
      });
      worker.on("error", failAll);
      worker.on("exit", (code) => code !== 0 && failAll(new Error(`audit verify worker exited with ${code}`)));
      // Two ranges in flight per worker: the database reads the next while the worker hashes.
      dispatch(worker);
      dispatch(worker);
    }

    let expectedSeq = start.seq + 1;
    let prevHash = start.hash;
    let count = 0;
    for (const pending of results) {
      const range = await pending;
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
  } finally {
    await Promise.all(threads.map((worker) => worker.terminate()));
  }
}
