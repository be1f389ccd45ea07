// One range of the chain checked into a TSegmentResult, from either side of the work:
// - checkChainSegment: rows whose hashed bytes the database built, hashed here (this thread and the
//   compute pool's workers, lib/compute/tasks/verify-audit-range.task.ts): the main thread and the
//   workers run the very same code.
// - segmentFromFlaggedRows: what PostgreSQL reports after checking a range itself.

/** [seq, prevHash, hash, body]: body is the record's serialization as built in SQL, or null when SQL could not build it. */
export type TChainRow = [seq: number, prevHash: string, hash: string, body: string | null];

export type TSegmentFailure = { brokenAtSeq: number; reason: string };

export type TSegmentResult = {
  /** Rows checked before the first structural failure (or all of them). */
  count: number;
  /** The last checked row (seq and hash), or the start when none was. */
  lastSeq: number;
  lastHash: string;
  /** The first missing, out-of-order or mislinked row: certain, whatever the hashes say. */
  failure: TSegmentFailure | null;
  /**
   * Seqs (before the failure) whose SQL-built body did not hash to the stored hash. Not yet a
   * failure: the SQL serialization is a fast path, and the caller re-hashes these rows with the
   * writer's own serializer (computeStoredRecordHash) before calling one broken.
   */
  unsure: number[];
};

/** A seq range's segment result with where it starts, for stitching ranges checked apart (verify-parallel.ts). */
export type TRangeResult = TSegmentResult & { firstSeq: number | null; firstPrevHash: string | null };

/** The SQLite file and the range query (SQLITE_RANGE_SQL) each compute worker opens and runs. */
export type TWorkerTarget = { file: string; sql: string };

/**
 * Checks rows in seq order against the expected next seq and previous hash: position, link, and
 * (fast path) content. A body that hashes to the stored hash proves the row: the SQL body is valid
 * JSON of the row's current values, so equal bytes mean equal values to what the writer hashed.
 */
export function checkChainSegment(
  rows: TChainRow[],
  expectedSeq: number,
  prevHash: string,
  sha256Hex: (text: string) => string,
): TSegmentResult {
  const unsure: number[] = [];
  let count = 0;
  let seq = expectedSeq - 1;
  let last = prevHash;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const rowSeq = row[0];
    if (rowSeq !== seq + 1) {
      const missing = rowSeq > seq + 1;
      return {
        count, lastSeq: seq, lastHash: last, unsure,
        failure: { brokenAtSeq: missing ? seq + 1 : rowSeq, reason: missing ? `record ${seq + 1} is missing (next is ${rowSeq})` : `record ${rowSeq} is out of order` },
      };
    }
    if (row[1] !== last) {
      return { count, lastSeq: seq, lastHash: last, unsure, failure: { brokenAtSeq: rowSeq, reason: "link to the previous record does not match" } };
    }
    const body = row[3];
    if (body === null || sha256Hex(`${last}\n${body}`) !== row[2]) unsure.push(rowSeq);
    seq = rowSeq;
    last = row[2];
    count += 1;
  }

  return { count, lastSeq: seq, lastHash: last, failure: null, unsure };
}

/**
 * A row the database flagged while checking a range itself (PG_CHECK_RANGE_SQL): the range's first
 * and last rows, and every row that is out of place, mislinked, or whose SQL-built body did not
 * hash to its stored hash. priorSeq/priorHash are those of the row before it in the range (null
 * for the first).
 */
export type TFlaggedRow = [seq: number, prevHash: string, hash: string, contentOk: boolean | null, priorSeq: number | null, priorHash: string | null, isLast: boolean];

/**
 * The segment result checkChainSegment would give for the whole range, from the flagged rows
 * alone (in seq order). Rows that were not flagged follow their predecessor and hashed right.
 */
export function segmentFromFlaggedRows(rows: TFlaggedRow[], after: number): TSegmentResult {
  const first = rows[0];
  if (!first) return { count: 0, lastSeq: after, lastHash: "", failure: null, unsure: [] };
  const unsure: number[] = [];
  for (const row of rows) {
    const [seq, prevHash, hash, contentOk, priorSeq, priorHash, isLast] = row;
    if (priorSeq !== null && priorHash !== null) {
      const lastChecked = { count: priorSeq - first[0] + 1, lastSeq: priorSeq, lastHash: priorHash, unsure };
      if (seq !== priorSeq + 1) {
        const missing = seq > priorSeq + 1;
        return {
          ...lastChecked,
          failure: { brokenAtSeq: missing ? priorSeq + 1 : seq, reason: missing ? `record ${priorSeq + 1} is missing (next is ${seq})` : `record ${seq} is out of order` },
        };
      }
      if (prevHash !== priorHash) return { ...lastChecked, failure: { brokenAtSeq: seq, reason: "link to the previous record does not match" } };
    }
    if (contentOk !== true) unsure.push(seq);
    if (isLast) return { count: seq - first[0] + 1, lastSeq: seq, lastHash: hash, failure: null, unsure };
  }
  // The query always returns the range's last row; without it the answer is incomplete.
  throw new Error("audit verify: the range check returned no last row");
}
