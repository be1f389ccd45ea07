// Reads a table for export with plain SQL through the driver, not Prisma model queries: the
// export is a full scan of up to millions of rows, and per-row Prisma decoding dominated it.
// One code path per provider: SQLite iterates one prepared statement on a read-only handle of
// the same file; PostgreSQL fetches batches from one server-side cursor on a dedicated connection.
// Rows come out shaped like Prisma's (camelCase fields, Date, boolean, parsed JSON), so the
// column policies see exactly the values they saw before.
import pg from "pg";

import { isPostgres } from "@/lib/db/client";
import { connectPostgres, openSqliteReadOnly, queryRows } from "@/lib/db/direct-connection";
import type { TRow, TSqlSource } from "@/lib/datasets/dataset-types";

export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** Prisma keeps DateTime as UTC wall time; pass it the same way (no zone for PG to apply). */
export const pgTimestamp = (date: Date) => date.toISOString().replace("Z", "");
/** Prisma's SQLite DateTime text, as stored (comparisons on it are text comparisons). */
export const sqliteTimestamp = (date: Date) => date.toISOString().replace("Z", "+00:00");

/** Turns a driver row into Prisma's shape in place (Date, boolean, parsed JSON) for these fields' kinds. */
export function decoderFor(source: Pick<TSqlSource, "fields">, provider: "sqlite" | "pg") {
  const conversions = Object.entries(source.fields).filter(([, kind]) => (provider === "sqlite" ? kind === "date" || kind === "bool" || kind === "json" : kind === "date"));
  return (row: Record<string, unknown>) => {
    for (const [field, kind] of conversions) {
      const value = row[field];
      if (value === null || value === undefined) continue;
      if (kind === "date") row[field] = value instanceof Date ? value : typeof value === "number" ? new Date(value) : new Date(provider === "pg" ? `${String(value).replace(" ", "T")}Z` : String(value));
      else if (kind === "bool") row[field] = Boolean(value);
      else if (kind === "json" && typeof value === "string") row[field] = JSON.parse(value);
    }
    return row as TRow;
  };
}

function selectList(source: TSqlSource, withUpdatedAt = false) {
  // updatedAt only for an incremental read of a numbered table, whose filters apply outside the window.
  return ["id", ...Object.keys(source.fields).filter((field) => field !== "id"), ...(withUpdatedAt ? ["updatedAt"] : [])].map(quote).join(", ");
}

/**
 * The statement's text. With an ordinal, the equality filters and the window go in a subquery and
 * `since` outside it, so rows before `since` still count towards the ordinal.
 */
function selectStatement(source: TSqlSource, equals: string[], windowFilters: string[]) {
  const order = source.orderByDate ? `${quote(source.orderByDate)}, "id"` : `"id"`;
  const filter = (parts: string[]) => (parts.length ? ` WHERE ${parts.join(" AND ")}` : "");
  if (!source.ordinal) return `SELECT ${selectList(source)} FROM ${quote(source.table)}${filter([...equals, ...windowFilters])} ORDER BY ${order}`;
  const partition = source.ordinal.partitionBy.map(quote).join(", ");
  const window = `CAST(ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS INTEGER) AS ${quote(source.ordinal.as)}`;
  const withUpdatedAt = windowFilters.some((part) => part.startsWith(`"updatedAt"`));

  return `SELECT * FROM (SELECT ${selectList(source, withUpdatedAt)}, ${window} FROM ${quote(source.table)}${filter(equals)}) AS "numbered"${filter(windowFilters)} ORDER BY ${order}`;
}

async function* sqliteBatches(source: TSqlSource, since: Date | null, batchSize: number, changedSince: Date | null): AsyncGenerator<TRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(source.equals ?? {})) {
    where.push(`${quote(field)} = ?`);
    params.push(value);
  }
  const windowFilters: string[] = [];
  if (since && source.sinceField) {
    windowFilters.push(`${quote(source.sinceField)} >= ?`);
    params.push(since.toISOString().replace("Z", "+00:00"));
  }
  if (changedSince) {
    windowFilters.push(`"updatedAt" >= ?`);
    params.push(changedSince.toISOString().replace("Z", "+00:00"));
  }
  yield* sqliteStatementBatches(selectStatement(source, where, windowFilters), params, decoderFor(source, "sqlite"), batchSize);
}

/**
 * One statement's rows, a batch at a time, iterated on a read-only handle of its own (closed when
 * the generator returns). Shared by the dataset export and the Bulk Data export (lib/fhir/bulk).
 */
export async function* sqliteStatementBatches<TOut = TRow>(text: string, params: unknown[], decode: (row: Record<string, unknown>) => TOut, batchSize: number): AsyncGenerator<TOut[]> {
  const db = openSqliteReadOnly();
  try {
    const statement = db.prepare(text);
    // Arrays, not objects, out of the driver: it sets an object's properties one by one through
    // the native API, which was most of the read's cost; the same keys in the same order here.
    const names = statement.columns().map((column) => column.name);
    let batch: TOut[] = [];
    for (const values of statement.raw(true).iterate(...params) as IterableIterator<unknown[]>) {
      const row: Record<string, unknown> = {};
      for (let index = 0; index < names.length; index++) row[names[index]!] = values[index];
      batch.push(decode(row));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  } finally {
    db.close();
  }
}

/** timestamp without time zone as UTC (pg's default parses it as local time). */
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: string) => (oid === 1114 ? (value: string) => value : pg.types.getTypeParser(oid, format as "text"))) as typeof pg.types.getTypeParser,
};

async function* pgBatches(source: TSqlSource, since: Date | null, batchSize: number, changedSince: Date | null): AsyncGenerator<TRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => (params.push(value), `$${params.length}`);
  for (const [field, value] of Object.entries(source.equals ?? {})) where.push(`${quote(field)} = ${param(value)}`);
  const windowFilters: string[] = [];
  if (since && source.sinceField) windowFilters.push(`${quote(source.sinceField)} >= ${param(pgTimestamp(since))}::timestamp`);
  if (changedSince) windowFilters.push(`"updatedAt" >= ${param(pgTimestamp(changedSince))}::timestamp`);
  yield* pgCursorBatches(selectStatement(source, where, windowFilters), params, decoderFor(source, "pg"), batchSize);
}

/**
 * One statement's rows, a batch at a time, from a server-side cursor on a connection of its own
 * (ended when the generator returns). Shared by the dataset export and the Bulk Data export.
 */
export async function* pgCursorBatches<TOut = TRow>(text: string, params: unknown[], decode: (row: Record<string, unknown>) => TOut, batchSize: number): AsyncGenerator<TOut[]> {
  const client = await connectPostgres();
  let open = false;
  try {
    // One server-side cursor per table in a read-only snapshot: one plan, one pass over the
    // table (keyset batches re-entered the index per batch, with an incremental sort and random
    // heap fetches each time). cursor_tuple_fraction = 1: plan for reading every row, not for
    // the first ones (a sequential scan and one sort usually beat an index walk here).
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    open = true;
    await client.query("SET LOCAL cursor_tuple_fraction = 1.0");
    await client.query({ text: `DECLARE export_rows NO SCROLL CURSOR FOR ${text}`, values: params });
    for (;;) {
      const fetched = await queryRows<Record<string, unknown>>(client, { text: `FETCH ${Math.max(1, Math.floor(batchSize))} FROM export_rows`, types: PG_TYPES });
      if (!fetched.length) break;
      const rows = fetched.map(decode);
      yield rows;
      if (rows.length < batchSize) break;
    }
    await client.query("COMMIT");
    open = false;
  } finally {
    if (open) await client.query("ROLLBACK").catch(() => undefined);
    await client.end();
  }
}

/**
 * The table's rows in export order, a batch at a time. `changedSince`: only rows created or changed
 * at or after it (every exported table keeps Prisma's updatedAt), for incremental extracts.
 */
export function readSqlBatches(source: TSqlSource, since: Date | null, batchSize: number, changedSince: Date | null = null): AsyncGenerator<TRow[]> {
  return isPostgres() ? pgBatches(source, since, batchSize, changedSince) : sqliteBatches(source, since, batchSize, changedSince);
}
