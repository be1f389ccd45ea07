// Batched writes for the FHIR import, all inside the import's own transaction (so a file is still
// written whole or not at all, with its audit record), as `INSERT ... ON CONFLICT ("id") DO UPDATE`:
// - SQLite: one prepared statement per table and column set, run per row on the connection the
//   transaction is open on (lib/db/client.ts sqliteTransactionConnection); multi-row statements through
//   Prisma's raw SQL if that connection is not available;
// - PostgreSQL: a few thousand rows per statement, sent as one jsonb array (jsonb_to_recordset),
//   on the transaction's own pool connection (lib/db/client.ts postgresTransactionConnection) and
//   pipelined: the next batch is mapped and serialized while the server runs the previous one.
//   Through Prisma's raw SQL, one statement took twice as long as the same statement sent with pg
//   (the query engine copies and re-encodes the multi-megabyte parameter), and nothing overlapped.
// Prisma's createMany/update spent most of an import in its query engine, per row (compiling and
// serializing every argument); one raw statement per batch costs a fraction of that.
//
// Semantics kept from the Prisma calls it replaces:
// - a new row gets every mapped column, createdAt and updatedAt = now;
// - an existing row (same id) gets the mapped columns and updatedAt = now; columns the mapping does
//   not set (undefined) and createdAt are left alone, as with `update({ data })`;
// - with `unchangedIf`, an existing row whose column (the resource's `raw`) equals the new value is
//   left alone entirely (PostgreSQL compares jsonb, where key order does not matter); the count of
//   rows inserted or updated is returned;
// - values are stored as Prisma stores them: SQLite DateTime as `YYYY-MM-DDTHH:MM:SS.mmm+00:00`
//   text, booleans as 0/1, Json as JSON text; PostgreSQL with casts to the column's type.
// Column types come from the database itself (PRAGMA table_info / information_schema), read once
// per table and import.
import { sqliteTransactionConnection, type TPgConnection, type TTx } from "@/lib/db/client";
import { modelTableName, type TTable } from "@/lib/fhir/import/plan-import";

type TColumnKind = "datetime" | "json" | "bool" | "other";
/** `pgType`: the column's full PostgreSQL type (format_type), for jsonb_to_recordset. */
type TColumn = { kind: TColumnKind; pgType: string };
export type TTableColumns = Map<string, TColumn>;

/** Bind parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;
/** Rows per statement at most, however narrow the table. */
const MAX_ROWS = 5_000;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function sqliteKind(declared: string): TColumnKind {
  const type = declared.toUpperCase();
  if (type === "DATETIME") return "datetime";
  if (type === "JSONB" || type === "JSON") return "json";
  if (type === "BOOLEAN") return "bool";

  return "other";
}

function postgresKind(type: string): TColumnKind {
  if (type.startsWith("timestamp")) return "datetime";
  if (type === "jsonb" || type === "json") return "json";
  if (type === "boolean") return "bool";

  return "other";
}

export async function readTableColumns(tx: TTx, table: TTable, isPostgres: boolean): Promise<TTableColumns> {
  const name = modelTableName(table);
  if (isPostgres) {
    const rows = await tx.$queryRawUnsafe<{ name: string; type: string }[]>(
      `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
       WHERE a.attrelid = to_regclass(format('%I', $1::text)) AND a.attnum > 0 AND NOT a.attisdropped`,
      name,
    );
    return new Map(rows.map((row) => [row.name, { kind: postgresKind(row.type), pgType: row.type }]));
  }
  const rows = await tx.$queryRawUnsafe<{ name: string; type: string }[]>(`SELECT name, type FROM pragma_table_info(?)`, name);

  return new Map(rows.map((row) => [row.name, { kind: sqliteKind(row.type), pgType: "" }]));
}

/** A value as SQLite stores it through Prisma. */
function encodeSqlite(value: unknown, kind: TColumnKind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "datetime":
      return (value instanceof Date ? value : new Date(value as string)).toISOString().replace("Z", "+00:00");
    case "json":
      return JSON.stringify(value);
    case "bool":
      return value ? 1 : 0;
    default:
      return value;
  }
}

/** A value inside the JSON document jsonb_to_recordset reads: Json columns stay nested JSON. */
function encodePostgres(value: unknown, kind: TColumnKind): unknown {
  if (value === null || value === undefined) return null;
  if (kind === "datetime") return (value instanceof Date ? value : new Date(value as string)).toISOString();

  return value;
}

/**
 * Statements on a PostgreSQL transaction's own connection, one after another, without waiting in
 * between: `send` returns once its statement is on its way, so the caller maps and serializes the
 * next batch while the server runs this one; the next statement goes out when this one has answered
 * (in order, so parents still go in before children). Never two on the connection at once: pg
 * would queue them itself, but that queueing is deprecated (pg 8 warns, pg 9 drops it), and the
 * server runs a connection's statements one at a time anyway. After a failure the transaction is
 * aborted and nothing more is sent: `flush` reports the first error.
 */
export class PostgresPipeline {
  private last: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;

  constructor(private readonly connection: TPgConnection) {}

  async send(sql: string, values: unknown[], onDone: (rowCount: number) => void) {
    await this.last;
    this.throwIfFailed();
    this.last = this.connection.query(sql, values).then(
      (result) => onDone(result.rowCount ?? 0),
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
  }

  /** Waits for the statement sent last; throws the first failure. Call it before reading results, and on error paths. */
  async flush() {
    await this.last;
    this.throwIfFailed();
  }

  /** Waits for the statement sent last, without throwing: for an error path that throws its own error. */
  async settle() {
    await this.last;
  }

  private throwIfFailed() {
    if (this.failure) throw this.failure.error;
  }
}

export type TBulkUpsertOptions = {
  columns: TTableColumns;
  isPostgres: boolean;
  now: Date;
  /** PostgreSQL: send on this pipeline (the transaction's connection) rather than through Prisma. */
  pipeline?: PostgresPipeline | null;
  /** An existing row whose value of this column equals the new one is not updated (and not counted). */
  unchangedIf?: string;
  /** Rows inserted or updated, per statement (with a pipeline, once the statement has run). */
  onWritten?: (rowCount: number) => void;
};

/**
 * Inserts `rows` (each with its `id`) into `table`, updating the mapped columns of any row whose id
 * exists already. Rows are grouped by the columns they set, so a column one row leaves undefined
 * is never written as NULL for it. Returns the number of statements sent.
 */
export async function bulkUpsert(tx: TTx, table: TTable, rows: Record<string, unknown>[], options: TBulkUpsertOptions): Promise<number> {
  const { columns, isPostgres, now, pipeline, unchangedIf } = options;
  const onWritten = options.onWritten ?? (() => undefined);
  const groups = new Map<string, { names: string[]; rows: Record<string, unknown>[] }>();
  for (const row of rows) {
    const names = Object.keys(row).filter((name) => row[name] !== undefined);
    const signature = names.join("\u0000");
    const group = groups.get(signature);
    if (group) group.rows.push(row);
    else groups.set(signature, { names, rows: [row] });
  }

  let statements = 0;
  const sqlite = isPostgres ? null : await sqliteTransactionConnection(tx);
  for (const { names, rows: groupRows } of groups.values()) {
    for (const name of names) {
      if (!columns.has(name)) throw new Error(`import: table ${modelTableName(table)} has no column "${name}"`);
    }
    const stamps = ["createdAt", "updatedAt"].filter((name) => columns.has(name) && !names.includes(name));
    const all = [...names, ...stamps];
    const updated = all.filter((name) => name !== "id" && name !== "createdAt");
    const target = `INSERT INTO ${quote(modelTableName(table))} (${all.map(quote).join(", ")}) `;
    // SQLite's `IS NOT` and PostgreSQL's `IS DISTINCT FROM`: NULL-safe inequality.
    const unchanged = unchangedIf && all.includes(unchangedIf) ? ` WHERE ${quote(modelTableName(table))}.${quote(unchangedIf)} ${isPostgres ? "IS DISTINCT FROM" : "IS NOT"} excluded.${quote(unchangedIf)}` : "";
    const conflict = ` ON CONFLICT (${quote("id")}) DO UPDATE SET ${updated.map((name) => `${quote(name)} = excluded.${quote(name)}`).join(", ")}${unchanged}`;
    const kinds = all.map((name) => columns.get(name)!.kind);

    if (isPostgres) {
      // One parameter per statement, a JSON array of rows, typed by the column list: PostgreSQL
      // parses it at once, and the statement stays small however many rows it carries. (Measured
      // against unnest() of one array per column and multi-row VALUES: this was the fastest.)
      const recordType = all.map((name) => `${quote(name)} ${columns.get(name)!.pgType}`).join(", ");
      const sql = `${target}SELECT ${all.map(quote).join(", ")} FROM jsonb_to_recordset($1::jsonb) AS t(${recordType})${conflict}`;
      for (let start = 0; start < groupRows.length; start += MAX_ROWS) {
        const batch = groupRows.slice(start, start + MAX_ROWS).map((row) => {
          const record: Record<string, unknown> = {};
          for (let index = 0; index < all.length; index++) record[all[index]!] = encodePostgres(index < names.length ? row[all[index]!] : now, kinds[index]!);
          return record;
        });
        if (pipeline) await pipeline.send(sql, [JSON.stringify(batch)], onWritten);
        else onWritten(await tx.$executeRawUnsafe(sql, JSON.stringify(batch)));
        statements++;
      }
      continue;
    }

    const tuple = `(${all.map(() => "?").join(", ")})`;
    if (sqlite) {
      // One prepared statement per column set, run row by row on the connection the transaction
      // is open on: no SQL text to build or parse per batch, no parameters through the query engine.
      const statement = sqlite.prepare(`${target}VALUES ${tuple}${conflict}`);
      const params: unknown[] = new Array(all.length);
      let written = 0;
      for (const row of groupRows) {
        for (let index = 0; index < all.length; index++) params[index] = encodeSqlite(index < names.length ? row[all[index]!] : now, kinds[index]!);
        written += statement.run(...params).changes;
      }
      onWritten(written);
      statements++;
      continue;
    }

    const perStatement = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / all.length)));
    for (let start = 0; start < groupRows.length; start += perStatement) {
      const batch = groupRows.slice(start, start + perStatement);
      const params: unknown[] = [];
      for (const row of batch) {
        for (let index = 0; index < all.length; index++) params.push(encodeSqlite(index < names.length ? row[all[index]!] : now, kinds[index]!));
      }
      onWritten(await tx.$executeRawUnsafe(`${target}VALUES ${Array.from(batch, () => tuple).join(", ")}${conflict}`, ...params));
      statements++;
    }
  }

  return statements;
}
