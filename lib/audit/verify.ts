import { computeRecordHash, GENESIS_HASH, type TChainedRecord } from "@/lib/audit/hash";

export type TStoredRecord = TChainedRecord & { prevHash: string; hash: string };

/** What the verifier needs to place a record in the chain; the hasher covers the rest. */
type TLinked = { seq: number; prevHash: string; hash: string };

export type TChainStart = { seq: number; hash: string };

export type TVerifyResult =
  | { ok: true; count: number; lastSeq: number; lastHash: string }
  | { ok: false; count: number; brokenAtSeq: number; reason: string };

/**
 * Walks records in sequence order and checks each one's position, link and content.
 * Pure: the CLI and the admin page feed it the same ordered batches. `start` is the
 * retention checkpoint (the last purged record) or the genesis. `hashOf` recomputes a record's
 * hash: computeRecordHash for records in memory, computeStoredRecordHash for rows read as text.
 */
export function createChainVerifier<TRecord extends TLinked = TStoredRecord>(
  start: TChainStart = { seq: 0, hash: GENESIS_HASH },
  hashOf: (record: TRecord, prevHash: string) => string = computeRecordHash as unknown as (record: TRecord, prevHash: string) => string,
) {
  let expectedSeq = start.seq + 1;
  let prevHash = start.hash;
  let count = 0;
  let failure: { brokenAtSeq: number; reason: string } | null = null;

  function push(record: TRecord): boolean {
    if (failure) return false;
    if (record.seq !== expectedSeq) {
      failure = {
        brokenAtSeq: Math.min(record.seq, expectedSeq),
        reason: record.seq > expectedSeq ? `record ${expectedSeq} is missing (next is ${record.seq})` : `record ${record.seq} is out of order`,
      };
      return false;
    }
    if (record.prevHash !== prevHash) {
      failure = { brokenAtSeq: record.seq, reason: "link to the previous record does not match" };
      return false;
    }
    if (hashOf(record, prevHash) !== record.hash) {
      failure = { brokenAtSeq: record.seq, reason: "content does not match its hash" };
      return false;
    }
    prevHash = record.hash;
    expectedSeq += 1;
    count += 1;

    return true;
  }

  function result(): TVerifyResult {
    if (failure) return { ok: false, count, ...failure };

    return { ok: true, count, lastSeq: expectedSeq - 1, lastHash: prevHash };
  }

  return { push, result };
}
