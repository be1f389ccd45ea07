// Reading the trail for chain verification. Rows are read through the
// database driver directly (not Prisma), and the database itself builds each record's hashed
// serialization (SQLite json_array; PostgreSQL array_to_json and the verbatim `json` metadata), so per
// row JavaScript only hashes one string and compares: at a million records, building the
// serialization in JavaScript from 17 columns cost more than the hashing. Rows whose SQL-built bytes do not match (nested or unusual
// metadata, odd timestamps, or a tampered row) are re-hashed with the writer's own serializer.
import { hash } from "node:crypto";
import { setImmediate as nextTick } from "node:timers/promises";

import Database from "better-sqlite3";

import { checkChainSegment, type TChainRow, type TSegmentFailure } from "@/lib/audit/chain-segment";
import { computeStoredRecordHash, type TStoredText } from "@/lib/audit/hash";
import type { TVerifyResult } from "@/lib/audit/verify";
import { connectPostgres, queryRows } from "@/lib/db/direct-connection";

const BATCH = 20_000;

/** seq is a 32-bit Int on both databases: the upper bound meaning "to the end". */
export const SEQ_MAX = 2_147_483_647;


const FIELDS = `"seq", "action", "outcome", "userId", "actorLabel", "exportJobId", "patientId", "dataset", "templateId", "scheduleId", "ipAddress", "userAgent", "requestId", "prevHash", "hash"`;

/**
 * The fixed fields in hash order (lib/audit/hash.ts serializeFields). json_array quotes text the
 * way JSON.stringify does; json() re-emits the stored metadata compactly (the writer stores it
 * with sorted keys); the adapter's "...sss+00:00" becomes "...sssZ". Invalid metadata JSON would
 * make json() raise, so such a row gets a NULL body and goes to the JavaScript path.
 */
export const SQLITE_BODY_SQL = `CASE WHEN "metadata" IS NOT NULL AND NOT json_valid("metadata") THEN NULL ELSE json_array(
  "seq", "action", "outcome", "userId", "actorLabel", "exportJobId", "patientId", "dataset", "templateId", "scheduleId", "ipAddress", "userAgent", "requestId",
  json("metadata"),
  CASE WHEN length("createdAt") = 29 AND substr("createdAt", 24) = '+00:00' THEN substr("createdAt", 1, 23) || 'Z' ELSE "createdAt" END) END`;

/**
 * The same body on PostgreSQL: array_to_json quotes text the way JSON.stringify does (and was
 * several times cheaper than to_json per column; the array's brackets come off with ltrim/rtrim, cheaper
 * than left/substr, and safe because its elements are JSON strings or null); the metadata column is `json`, which keeps the
 * canonical text the writer stored byte for byte; timestamp(3) is UTC, printed as toISOString does.
 */
export const PG_BODY_SQL = `'[' || "seq" || ',' || rtrim(ltrim(array_to_json(ARRAY[
  "action", "outcome", "userId", "actorLabel", "exportJobId", "patientId", "dataset", "templateId", "scheduleId", "ipAddress", "userAgent", "requestId"
  ])::text, '['), ']') || ',' || coalesce("metadata"::text, 'null') || ',"' || to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"]'`;

/** A row as the drivers return it for the JavaScript path, as an array in FIELDS order. */
type TRawRow = [
  seq: number, action: string, outcome: string, userId: string | null, actorLabel: string | null, exportJobId: string | null,
  patientId: string | null, dataset: string | null, templateId: string | null, scheduleId: string | null, ipAddress: string | null,
  userAgent: string | null, requestId: string | null, prevHash: string, hash: string, metadata: string | null, createdAt: string,
];

function toStored(row: TRawRow): TStoredText {
  return {
    seq: row[0], action: row[1], outcome: row[2], userId: row[3], actorLabel: row[4], exportJobId: row[5], patientId: row[6], dataset: row[7],
    templateId: row[8], scheduleId: row[9], ipAddress: row[10], userAgent: row[11], requestId: row[12], prevHash: row[13], hash: row[14],
    metadataText: row[15], createdAtText: row[16],
  };
}

export type TChainReader = {
  /** Up to `limit` rows with after < seq <= upTo, in seq order. */
  rows(after: number, upTo: number, limit: number): Promise<TChainRow[]>;
  /** Whole rows for the JavaScript path. */
  records(seqs: number[]): Promise<TRawRow[]>;
  maxSeq(): Promise<number>;
  close(): Promise<void>;
};

/** Rows (?1, ?2] in seq order, at most ?3: the batch query of both the reader and the workers. */
export const SQLITE_RANGE_SQL = `SELECT "seq", "prevHash", "hash", ${SQLITE_BODY_SQL} FROM "ExportAuditLog" WHERE "seq" > ? AND "seq" <= ? ORDER BY "seq" LIMIT ?`;
const PG_RANGE_SQL = `SELECT "seq", "prevHash", "hash", ${PG_BODY_SQL} FROM "ExportAuditLog" WHERE "seq" > $1 AND "seq" <= $2 ORDER BY "seq" LIMIT $3`;

/**
 * PostgreSQL checks a range (?1, ?2] itself: it builds each row's body (PG_BODY_SQL), hashes it
 * after the stored prevHash as the writer did, and compares each row with the one before it. Only
 * the range's ends and the rows that did not check out come back, as TFlaggedRow.
 */
export const PG_CHECK_RANGE_SQL = `SELECT "seq", "prevHash", "hash", "contentOk", "priorSeq", "priorHash", "isLast" FROM (
  SELECT "seq", "prevHash", "hash",
    encode(sha256(convert_to("prevHash" || E'\\n' || ${PG_BODY_SQL}, 'UTF8')), 'hex') = "hash" AS "contentOk",
    lag("seq") OVER "bySeq" AS "priorSeq", lag("hash") OVER "bySeq" AS "priorHash", lead("seq") OVER "bySeq" IS NULL AS "isLast"
  FROM "ExportAuditLog" WHERE "seq" > $1 AND "seq" <= $2
  WINDOW "bySeq" AS (ORDER BY "seq")
) AS "checked"
WHERE "priorSeq" IS NULL OR "isLast" OR "contentOk" IS NOT TRUE OR "seq" <> "priorSeq" + 1 OR "prevHash" <> "priorHash"
ORDER BY "seq"`;

export function sqliteChainReader(file: string): TChainReader {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const rows = db
    .prepare<[number, number, number], TChainRow>(SQLITE_RANGE_SQL)
    .raw(true);
  const records = db
    .prepare<[string], TRawRow>(`SELECT ${FIELDS}, "metadata", "createdAt" FROM "ExportAuditLog" WHERE "seq" IN (SELECT "value" FROM json_each(?)) ORDER BY "seq"`)
    .raw(true);
  const max = db.prepare<[], { m: number | null }>(`SELECT MAX("seq") AS "m" FROM "ExportAuditLog"`);

  return {
    rows: async (after, upTo, limit) => rows.all(after, upTo, limit) as unknown as TChainRow[],
    records: async (seqs) => records.all(JSON.stringify(seqs)) as unknown as TRawRow[],
    maxSeq: async () => max.get()?.m ?? 0,
    close: async () => void db.close(),
  };
}

export async function postgresChainReader(url: string): Promise<TChainReader> {
  const client = await connectPostgres(url);
  // Prisma stores DateTime as UTC in timestamp(3); to_char gives the ISO text without the
  // driver's local-time Date parsing, and metadata as text keeps JSON parsing in one place.
  const records = `SELECT ${FIELDS}, "metadata"::text AS "metadata", to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"
    FROM "ExportAuditLog" WHERE "seq" = ANY($1::int[]) ORDER BY "seq"`;

  return {
    rows: (after, upTo, limit) => queryRows<TChainRow>(client, { text: PG_RANGE_SQL, values: [after, upTo, limit], rowMode: "array" }),
    records: (seqs) => queryRows<TRawRow>(client, { text: records, values: [seqs], rowMode: "array" }),
    maxSeq: async () => Number((await queryRows<{ m: number | null }>(client, { text: `SELECT MAX("seq") AS "m" FROM "ExportAuditLog"` }))[0]?.m ?? 0),
    close: () => client.end(),
  };
}

export const sha256Hex = (text: string) => hash("sha256", text, "hex");

/**
 * The first of `unsure` (ascending seqs, all before any structural failure) whose content does not
 * match its hash under the writer's own serializer, or null when all of them do.
 */
export async function firstContentFailure(reader: TChainReader, unsure: number[]): Promise<TSegmentFailure | null> {
  for (let i = 0; i < unsure.length; i += 1_000) {
    const wanted = unsure.slice(i, i + 1_000);
    const found = new Map((await reader.records(wanted)).map((row) => [row[0], row]));
    for (const seq of wanted) {
      const row = found.get(seq);
      // The row was there a moment ago: it changed under us, which is a failure too.
      if (!row) return { brokenAtSeq: seq, reason: "content does not match its hash" };
      const stored = toStored(row);
      if (computeStoredRecordHash(stored, stored.prevHash) !== stored.hash) return { brokenAtSeq: seq, reason: "content does not match its hash" };
    }
  }

  return null;
}

/** Verifies (start.seq, upTo] on this thread with one reader, batch by batch, from `prevHash` (the hash at seq `after`). */
export async function verifySequential(reader: TChainReader, start: { seq: number; hash: string }, upTo: number): Promise<TVerifyResult> {
  let expectedSeq = start.seq + 1;
  let prevHash = start.hash;
  let count = 0;
  let pending = reader.rows(start.seq, upTo, BATCH);
  for (;;) {
    const rows = await pending;
    if (rows.length === 0) break;
    // Ask for the next batch before hashing this one, so the database works while we hash.
    pending = rows.length === BATCH ? reader.rows(rows.at(-1)![0], upTo, BATCH) : Promise.resolve([]);
    const segment = checkChainSegment(rows, expectedSeq, prevHash, sha256Hex);
    const content = await firstContentFailure(reader, segment.unsure);
    if (content) {
      await pending.catch(() => undefined);
      return { ok: false, count: count + (content.brokenAtSeq - expectedSeq), ...content };
    }
    count += segment.count;
    if (segment.failure) {
      await pending.catch(() => undefined);
      return { ok: false, count, ...segment.failure };
    }
    expectedSeq = segment.lastSeq + 1;
    prevHash = segment.lastHash;
    // Hashing a batch is synchronous; let the server handle other requests between batches.
    await nextTick();
  }

  return { ok: true, count, lastSeq: expectedSeq - 1, lastHash: prevHash };
}

