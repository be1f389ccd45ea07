// Reads the whole trail in sequence order and feeds the pure verifier. Rows are read through the
// database driver directly (not Prisma) in large keyset batches: at a million records, Prisma's
// per-row mapping cost more than the hashing.
import { setImmediate as nextTick } from "node:timers/promises";

import Database from "better-sqlite3";
import pg from "pg";

import { computeStoredRecordHash, GENESIS_HASH, type TStoredText } from "@/lib/audit/hash";
import { createChainVerifier, type TVerifyResult } from "@/lib/audit/verify";
import { isPostgres, prisma } from "@/lib/db/client";
import { sqliteFilePath } from "@/lib/db/migrate";
import { env } from "@/lib/env";

const BATCH = 10_000;

const FIELDS = `"seq", "action", "outcome", "userId", "actorLabel", "exportJobId", "patientId", "dataset", "templateId", "scheduleId", "ipAddress", "userAgent", "requestId", "prevHash", "hash"`;

/** A row as the drivers return it, as an array in FIELDS order (cheaper than keyed objects). */
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

/** Yields batches of rows with seq > after, in seq order. */
type TBatchReader = { next(after: number): Promise<TRawRow[]>; close(): Promise<void> };

function sqliteReader(): TBatchReader {
  const db = new Database(sqliteFilePath(env().DATABASE_URL), { readonly: true, fileMustExist: true });
  const select = db
    .prepare<[number, number], TRawRow>(`SELECT ${FIELDS}, "metadata", "createdAt" FROM "ExportAuditLog" WHERE "seq" > ? ORDER BY "seq" LIMIT ?`)
    .raw(true);

  return {
    next: async (after) => select.all(after, BATCH) as unknown as TRawRow[],
    close: async () => void db.close(),
  };
}

async function postgresReader(): Promise<TBatchReader> {
  const client = new pg.Client({ connectionString: env().DATABASE_URL });
  await client.connect();
  // Prisma stores DateTime as UTC in timestamp(3); to_char gives the ISO text without the
  // driver's local-time Date parsing, and metadata as text keeps JSON parsing in one place.
  const text = `SELECT ${FIELDS}, "metadata"::text AS "metadata", to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"
    FROM "ExportAuditLog" WHERE "seq" > $1 ORDER BY "seq" LIMIT $2`;

  return {
    next: async (after) => (await client.query<TRawRow>({ text, values: [after, BATCH], rowMode: "array" })).rows,
    close: () => client.end(),
  };
}

/** Streams the whole trail in sequence order through the pure verifier, from the latest checkpoint. */
export async function verifyAuditChain(): Promise<TVerifyResult & { checkpointSeq: number }> {
  const checkpoint = await prisma.auditCheckpoint.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const start = checkpoint ?? { seq: 0, hash: GENESIS_HASH };
  const verifier = createChainVerifier<TStoredText>(start, computeStoredRecordHash);
  const reader = isPostgres() ? await postgresReader() : sqliteReader();

  try {
    let pending = reader.next(start.seq);
    for (;;) {
      const rows = await pending;
      if (rows.length === 0) break;
      // Ask for the next batch before hashing this one, so the database works while we hash.
      pending = rows.length === BATCH ? reader.next(rows.at(-1)![0]) : Promise.resolve([]);
      for (const row of rows) {
        if (!verifier.push(toStored(row))) {
          await pending.catch(() => undefined);
          return { ...verifier.result(), checkpointSeq: start.seq };
        }
      }
      // Hashing a batch is synchronous; let the server handle other requests between batches.
      await nextTick();
    }
  } finally {
    await reader.close();
  }

  return { ...verifier.result(), checkpointSeq: start.seq };
}
