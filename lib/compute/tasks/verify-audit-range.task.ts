// One seq range of the audit chain on SQLite, checked in a compute worker: the rows are read through
// the worker's own read-only connection (kept for the worker's life, one per database file), with
// the hashed bodies built in SQL (SQLITE_RANGE_SQL), and checked from the range's own first row.
// Whether that row follows the previous range is the main thread's stitch (verifyRanges).
import { hash } from "node:crypto";

import Database from "better-sqlite3";

import { checkChainSegment, type TChainRow } from "@/lib/audit/chain-segment";
import type { TTaskInput, TTaskOutput } from "@/lib/compute/task-catalog";

const statements = new Map<string, Database.Statement>();

function statementFor(file: string, sql: string) {
  const key = `${file}\n${sql}`;
  let statement = statements.get(key);
  if (!statement) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    statement = db.prepare(sql).raw(true);
    statements.set(key, statement);
  }

  return statement;
}

const sha256Hex = (text: string) => hash("sha256", text, "hex");

export function verifyAuditRangeTask(input: TTaskInput<"audit.verify-range">): TTaskOutput<"audit.verify-range"> {
  const rows = statementFor(input.file, input.sql).all(input.after, input.upTo, input.upTo - input.after) as TChainRow[];
  const first = rows[0];
  const result = first ? checkChainSegment(rows, first[0], first[1], sha256Hex) : checkChainSegment(rows, input.after + 1, "", sha256Hex);

  return { ...result, firstSeq: first ? first[0] : null, firstPrevHash: first ? first[1] : null };
}
