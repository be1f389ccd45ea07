// Reads a table for export with plain SQL through the driver, not Prisma model queries: the
// export is a full scan of up to millions of rows, and per-row Prisma decoding dominated it.
// One code path per provider: SQLite iterates one prepared statement on a read-only handle of
// the same file; PostgreSQL fetches batches from one server-side cursor on a dedicated connection.
// Rows come out shaped like Prisma's (camelCase fields, Date, boolean, parsed JSON), so the
// column policies see exactly the values they saw before.
//
// A read may be limited to one range of the ORDER BY key (a partition of the export, read in a
// compute worker): the ranges of planKeyRanges() cover the rows exactly once, in order, so the
// partitions' CSVs concatenate to the single read's. Nothing here imports Prisma: the workers load
// this module and a Prisma client per worker thread would cost tens of MB each.
import pg from "pg";

import { connectPostgres, openSqliteReadOnly, queryRowObjects, queryRows } from "@/lib/db/direct-connection";
import type { TRow, TSqlSource } from "@/lib/datasets/dataset-types";
import { env, isPostgresUrl } from "@/lib/env";

/**
 * A value of the ORDER BY key as the database stores it ([date, id], or [id] for tables ordered by
 * id alone): read raw and bound back raw, so a bound compares exactly as ORDER BY sorts.
 */
export type TKeyBound = (string | number)[];
/** Rows with key > after (none: from the first) and key <= upTo (none: to the last). */
export type TKeyRange = { after: TKeyBound | null; upTo: TKeyBound | null };
export const WHOLE_TABLE: TKeyRange = { after: null, upTo: null };
/** Rows with an ordinal: each range with the counts of its groups' rows before it (see planKeyRanges). */
export type TPlannedRange = TKeyRange & { ordinalStarts?: [string, number][] };

export type TReadOptions = {
  /** The database (default: DATABASE_URL); a compute worker is told it by the job. */
  url?: string;
  /** One partition's key range (default: every row). */
  range?: TKeyRange;
  /** With an ordinal and a range: the rows before the range per group (planKeyRanges); default: counted here. */
  ordinalStarts?: [string, number][];
};

export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** Prisma keeps DateTime as UTC wall time; pass it the same way (no zone for PG to apply). */
export const pgTimestamp = (date: Date) => date.toISOString().replace("Z", "");
/** Prisma's SQLite DateTime text, as stored (comparisons on it are text comparisons). */
export const sqliteTimestamp = (date: Date) => date.toISOString().replace("Z", "+00:00");

const keyColumns = (source: TSqlSource) => (source.orderByDate ? [source.orderByDate, "id"] : ["id"]);

/**
 * SQL for key > bound ("after") or key <= bound ("upTo"), as a lexicographic comparison of the key
 * columns. The leading `date >= / <=` lets the date index bound the scan; the rest breaks ties.
 * `param` binds one value and returns its placeholder; `cast` types a PG date parameter.
 */
function keyFilter(source: TSqlSource, side: "after" | "upTo", bound: TKeyBound, param: (value: unknown, column: string) => string) {
  const columns = keyColumns(source);
  if (bound.length !== columns.length) throw new Error("a key bound must have one value per key column");
  if (columns.length === 1) return `"id" ${side === "after" ? ">" : "<="} ${param(bound[0], "id")}`;
  const date = quote(columns[0]!);
  if (side === "after") return `${date} >= ${param(bound[0], columns[0]!)} AND (${date} > ${param(bound[0], columns[0]!)} OR "id" > ${param(bound[1], "id")})`;

  return `${date} <= ${param(bound[0], columns[0]!)} AND (${date} < ${param(bound[0], columns[0]!)} OR "id" <= ${param(bound[1], "id")})`;
}

function rangeFilters(source: TSqlSource, range: TKeyRange, param: (value: unknown, column: string) => string) {
  return [...(range.after ? [keyFilter(source, "after", range.after, param)] : []), ...(range.upTo ? [keyFilter(source, "upTo", range.upTo, param)] : [])];
}

/** A stored date as the driver gives it (SQLite: Prisma's text or epoch ms; PostgreSQL: timestamp text, UTC) -> epoch ms. */
function storedTime(value: unknown, provider: "sqlite" | "pg"): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value;

  return Date.parse(provider === "pg" ? `${String(value).replace(" ", "T")}Z` : String(value));
}

/** Turns a driver row into Prisma's shape in place (Date, boolean, parsed JSON) for these fields' kinds. */
export function decoderFor(source: Pick<TSqlSource, "fields">, provider: "sqlite" | "pg") {
  const conversions = Object.entries(source.fields).filter(([, kind]) => (provider === "sqlite" ? kind === "date" || kind === "bool" || kind === "json" : kind === "date"));
  return (row: Record<string, unknown>) => {
    for (const [field, kind] of conversions) {
      const value = row[field];
      if (value === null || value === undefined) continue;
      if (kind === "date") row[field] = value instanceof Date ? value : new Date(storedTime(value, provider));
      else if (kind === "bool") row[field] = Boolean(value);
      else if (kind === "json" && typeof value === "string") row[field] = JSON.parse(value);
    }
    return row as TRow;
  };
}

function selectList(source: TSqlSource, withUpdatedAt = false) {
  // updatedAt only for an incremental read of a numbered table: its window is applied as the rows are numbered.
  return ["id", ...Object.keys(source.fields).filter((field) => field !== "id"), ...(withUpdatedAt ? ["updatedAt"] : [])].map(quote).join(", ");
}

const orderOf = (source: TSqlSource) => keyColumns(source).map(quote).join(", ");
const filter = (parts: string[]) => (parts.length ? ` WHERE ${parts.join(" AND ")}` : "");

/**
 * A read's statement. A table with an ordinal reads every row of the range, the window (`since`,
 * `changedSince`) left to ordinalNumberer: rows before `since` or unchanged still count.
 */
function readStatement(source: TSqlSource, provider: "sqlite" | "pg", since: Date | null, changedSince: Date | null, range: TKeyRange) {
  const numbered = Boolean(source.ordinal);
  const { equals, ranges, windowFilters, params } = buildFilters(source, provider, numbered ? null : since, numbered ? null : changedSince, range);
  const text = `SELECT ${selectList(source, numbered && changedSince !== null)} FROM ${quote(source.table)}${filter([...equals, ...ranges, ...windowFilters])} ORDER BY ${orderOf(source)}`;

  return { text, params };
}

/**
 * For a partition that does not start at the first row: per ordinal group (patient and instrument),
 * how many rows come before the range. A grouped count over the index, not a second window.
 */
function ordinalStartsStatement(source: TSqlSource, equals: string[], beforeRange: string) {
  const partition = ordinalGroupFields(source).map(quote).join(", ");

  return `SELECT ${partition}, COUNT(*) AS "count" FROM ${quote(source.table)}${filter([...equals, beforeRange])} GROUP BY ${partition}`;
}

/**
 * The ordinal's groups as the rows show them: its partitionBy fields less those an equality filter
 * fixes (a wide table's `questionnaire` is not among its fields, and is one value throughout).
 */
function ordinalGroupFields(source: TSqlSource) {
  const fields = source.ordinal!.partitionBy.filter((field) => !(field in (source.equals ?? {})));
  const missing = fields.filter((field) => field !== "id" && !(field in source.fields));
  if (missing.length) throw new Error(`ordinal of ${source.table}: ${missing.join(", ")} must be read (fields) to number a partition`);

  return fields;
}

/**
 * Numbers each row in its ordinal group as it is read, and says whether it is in the export's
 * window: the rows come in ORDER BY order, so a running count per group is the ROW_NUMBER() over
 * (group, ORDER BY) that the database would give, without sorting the table twice (a window in the
 * statement cost a second sort, spilled to disk on SQLite: 6.2 s against 2.4 s for 500,000 rows).
 * Rows outside the window (`since`, `changedSince`) are read and counted but not exported.
 * `starts`: each group's rows before the range (a partition), 0 when absent.
 */
function ordinalNumberer(source: TSqlSource, provider: "sqlite" | "pg", starts: Map<string, number>, since: Date | null, changedSince: Date | null) {
  const { as } = source.ordinal!;
  const fields = ordinalGroupFields(source);
  const counts = new Map(starts);
  const sinceField = since ? source.sinceField : undefined;
  if (sinceField && !(sinceField in source.fields)) throw new Error(`ordinal of ${source.table}: ${sinceField} must be read (fields) to apply since`);
  const sinceTime = since?.getTime() ?? 0;
  const changedTime = changedSince?.getTime() ?? 0;

  return (row: Record<string, unknown>) => {
    const group = fields.length === 1 ? String(row[fields[0]!]) : fields.map((field) => String(row[field])).join("\u0000");
    const number = (counts.get(group) ?? 0) + 1;
    counts.set(group, number);
    row[as] = number;
    if (sinceField && (row[sinceField] === null || storedTime(row[sinceField], provider) < sinceTime)) return false;
    if (changedSince) {
      const changed = row.updatedAt;
      delete row.updatedAt;
      if (changed === null || storedTime(changed, provider) < changedTime) return false;
    }
    return true;
  };
}

const startsMap = (rows: Record<string, unknown>[], partitionBy: string[]) => new Map(rows.map((row) => [partitionBy.map((field) => String(row[field])).join("\u0000"), Number(row.count)] as const));

/** A statement's filters and their parameters, for one provider. */
type TFilters = { equals: string[]; ranges: string[]; windowFilters: string[]; params: unknown[]; param: (value: unknown, column?: string) => string };

/** The read's filters in the order their placeholders appear in the statement (equals, range, window). */
function buildFilters(source: TSqlSource, provider: "sqlite" | "pg", since: Date | null, changedSince: Date | null, range: TKeyRange): TFilters {
  const params: unknown[] = [];
  const dateColumns = new Set(Object.entries(source.fields).filter(([, kind]) => kind === "date").map(([field]) => field));
  const param = (value: unknown, column?: string) => {
    params.push(value);
    if (provider === "sqlite") return "?";
    return column && dateColumns.has(column) ? `$${params.length}::timestamp` : `$${params.length}`;
  };
  const stamp = (date: Date) => (provider === "pg" ? pgTimestamp(date) : sqliteTimestamp(date));
  const equals = Object.entries(source.equals ?? {}).map(([field, value]) => `${quote(field)} = ${param(value)}`);
  const ranges = rangeFilters(source, range, param);
  const windowFilters: string[] = [];
  if (since && source.sinceField) windowFilters.push(`${quote(source.sinceField)} >= ${provider === "pg" ? `${param(stamp(since))}::timestamp` : param(stamp(since))}`);
  if (changedSince) windowFilters.push(`"updatedAt" >= ${provider === "pg" ? `${param(stamp(changedSince))}::timestamp` : param(stamp(changedSince))}`);

  return { equals, ranges, windowFilters, params, param };
}

/** The ordinal starts' statement and parameters, when the range does not start at the first row. */
function ordinalStartsQuery(source: TSqlSource, provider: "sqlite" | "pg", range: TKeyRange) {
  if (!source.ordinal || !range.after) return null;
  const filters = buildFilters(source, provider, null, null, WHOLE_TABLE);
  // Everything up to and including the range's lower bound: key <= after.
  const before = keyFilter(source, "upTo", range.after, filters.param);

  return { text: ordinalStartsStatement(source, filters.equals, before), values: filters.params };
}

async function* sqliteBatches(source: TSqlSource, since: Date | null, batchSize: number, changedSince: Date | null, options: TReadOptions): AsyncGenerator<TRow[]> {
  const range = options.range ?? WHOLE_TABLE;
  const { text, params } = readStatement(source, "sqlite", since, changedSince, range);
  yield* sqliteStatementBatches(text, params, decoderFor(source, "sqlite"), batchSize, {
    url: options.url,
    beforeRows: (db) => {
      if (!source.ordinal) return null;
      const startsQuery = options.ordinalStarts ? null : ordinalStartsQuery(source, "sqlite", range);
      const starts = options.ordinalStarts ? new Map(options.ordinalStarts) : startsQuery ? startsMap(db.prepare(startsQuery.text).all(...startsQuery.values) as Record<string, unknown>[], ordinalGroupFields(source)) : new Map<string, number>();
      return ordinalNumberer(source, "sqlite", starts, since, changedSince);
    },
  });
}

/**
 * Before the rows: work on the same handle or transaction, returning a change to make to each row
 * before it is decoded; the change returns false for a row to leave out.
 */
type TRowChange = (row: Record<string, unknown>) => boolean | void;
type TBeforeRows<TConnection> = (connection: TConnection) => TRowChange | null | Promise<TRowChange | null>;

/**
 * One statement's rows, a batch at a time, iterated on a read-only handle of its own (closed when
 * the generator returns). Shared by the dataset export and the Bulk Data export (lib/fhir/bulk).
 */
export async function* sqliteStatementBatches<TOut = TRow>(
  text: string,
  params: unknown[],
  decode: (row: Record<string, unknown>) => TOut,
  batchSize: number,
  options: { url?: string; beforeRows?: TBeforeRows<ReturnType<typeof openSqliteReadOnly>> } = {},
): AsyncGenerator<TOut[]> {
  const db = openSqliteReadOnly(options.url);
  try {
    const change = (await options.beforeRows?.(db)) ?? null;
    const statement = db.prepare(text);
    // Arrays, not objects, out of the driver: it sets an object's properties one by one through
    // the native API, which was most of the read's cost; the same keys in the same order here.
    const names = statement.columns().map((column) => column.name);
    let batch: TOut[] = [];
    for (const values of statement.raw(true).iterate(...params) as IterableIterator<unknown[]>) {
      const row: Record<string, unknown> = {};
      for (let index = 0; index < names.length; index++) row[names[index]!] = values[index];
      if (change?.(row) === false) continue;
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

async function* pgBatches(source: TSqlSource, since: Date | null, batchSize: number, changedSince: Date | null, options: TReadOptions): AsyncGenerator<TRow[]> {
  const range = options.range ?? WHOLE_TABLE;
  const { text, params } = readStatement(source, "pg", since, changedSince, range);
  yield* pgCursorBatches(text, params, decoderFor(source, "pg"), batchSize, {
    url: options.url,
    beforeRows: async (client) => {
      if (!source.ordinal) return null;
      const startsQuery = options.ordinalStarts ? null : ordinalStartsQuery(source, "pg", range);
      const starts = options.ordinalStarts ? new Map(options.ordinalStarts) : startsQuery ? startsMap(await queryRows<Record<string, unknown>>(client, startsQuery), ordinalGroupFields(source)) : new Map<string, number>();
      return ordinalNumberer(source, "pg", starts, since, changedSince);
    },
  });
}

/**
 * One statement's rows, a batch at a time, from a server-side cursor on a connection of its own
 * (ended when the generator returns). Shared by the dataset export and the Bulk Data export.
 */
export async function* pgCursorBatches<TOut = TRow>(
  text: string,
  params: unknown[],
  decode: (row: Record<string, unknown>) => TOut,
  batchSize: number,
  options: { url?: string; beforeRows?: TBeforeRows<pg.Client> } = {},
): AsyncGenerator<TOut[]> {
  const client = await connectPostgres(options.url);
  let open = false;
  try {
    // One server-side cursor per table in a read-only snapshot: one plan, one pass over the
    // table (keyset batches re-entered the index per batch, with an incremental sort and random
    // heap fetches each time). cursor_tuple_fraction = 1: plan for reading every row, not for
    // the first ones (a sequential scan and one sort usually beat an index walk here).
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    open = true;
    await client.query("SET LOCAL cursor_tuple_fraction = 1.0");
    const change = (await options.beforeRows?.(client)) ?? null;
    await client.query({ text: `DECLARE export_rows NO SCROLL CURSOR FOR ${text}`, values: params });
    for (;;) {
      const fetched = await queryRowObjects(client, { text: `FETCH ${Math.max(1, Math.floor(batchSize))} FROM export_rows`, types: PG_TYPES });
      if (!fetched.length) break;
      const rows = (change ? fetched.filter((row) => change(row) !== false) : fetched).map(decode);
      if (rows.length) yield rows;
      if (fetched.length < batchSize) break;
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
 * `options.range`: only the rows of one partition (planKeyRanges).
 */
export function readSqlBatches(source: TSqlSource, since: Date | null, batchSize: number, changedSince: Date | null = null, options: TReadOptions = {}): AsyncGenerator<TRow[]> {
  return isPostgresUrl(options.url ?? env().DATABASE_URL) ? pgBatches(source, since, batchSize, changedSince, options) : sqliteBatches(source, since, batchSize, changedSince, options);
}

/**
 * Splits the rows a read would return into key ranges of about `rowsPerPartition` rows each, in
 * order. Each boundary is found by its position along the date index (ORDER BY date LIMIT 1 OFFSET n:
 * an index walk, no sort), and a range ends after the last row (highest id) of that date, so ties of a
 * date stay in one range and every row is in exactly one. (Numbering every key with ROW_NUMBER in the
 * database sorted the whole table by (date, id): 2.6-4.2 s for 500,000 rows, against well under a
 * second this way.) With an ordinal, `since` still filters here: the ranges need only cover the rows exported.
 */
export async function planKeyRanges(source: TSqlSource, since: Date | null, changedSince: Date | null, rowsPerPartition: number, options: { url?: string } = {}): Promise<{ rows: number; ranges: TPlannedRange[] }> {
  const url = options.url ?? env().DATABASE_URL;
  const provider = isPostgresUrl(url) ? "pg" : "sqlite";
  const { equals, windowFilters, params } = buildFilters(source, provider, since, changedSince, WHOLE_TABLE);
  const where = filter([...equals, ...windowFilters]);
  const lead = quote(keyColumns(source)[0]!);
  const countText = `SELECT COUNT(*) AS "count" FROM ${quote(source.table)}${where}`;
  const placeholder = (index: number) => (provider === "pg" ? `$${index}` : "?");
  const atText = `SELECT ${lead} AS "value" FROM ${quote(source.table)}${where} ORDER BY ${lead} LIMIT 1 OFFSET ${placeholder(params.length + 1)}`;
  const dateColumn = source.orderByDate;
  const lastIdText = dateColumn
    ? `SELECT MAX("id") AS "value" FROM ${quote(source.table)}${filter([...equals, ...windowFilters, `${quote(dateColumn)} = ${provider === "pg" ? `${placeholder(params.length + 1)}::timestamp` : "?"}`])}`
    : "";
  const partsOf = (rows: number) => Math.max(1, Math.ceil(rows / Math.max(1, rowsPerPartition)));
  const offsetsOf = (rows: number, parts: number) => Array.from({ length: parts - 1 }, (_, index) => Math.round(((index + 1) * rows) / parts) - 1);

  /** The boundaries from the lead column's value at each offset (and, by date, that date's last id), without repeats. */
  const boundaries = async (rows: number, valueAt: (offset: number) => Promise<string | number | undefined>, lastIdOf: (date: string | number) => Promise<string | number | undefined>) => {
    const bounds: TKeyBound[] = [];
    for (const offset of offsetsOf(rows, partsOf(rows))) {
      const value = await valueAt(offset);
      if (value === undefined || value === null) continue;
      const bound: TKeyBound = dateColumn ? [value, (await lastIdOf(value))!] : [value];
      if (bound.some((part) => part === undefined || part === null)) continue;
      const previous = bounds[bounds.length - 1];
      if (previous && previous.every((part, index) => part === bound[index])) continue;
      bounds.push(bound);
    }
    const ranges: TKeyRange[] = [...bounds, null].map((upTo, index) => ({ after: index ? bounds[index - 1]! : null, upTo }));
    return { rows, ranges: await withOrdinalStarts(ranges, bounds) };
  };

  /**
   * The ordinal's starting counts of every range in one grouped pass over the table (not one count
   * of the rows before it per partition: those re-read the table's first ranges again and again,
   * ~1.2 s for the fourth of five PHQ-9 partitions at 1M rows). The database assigns each row its
   * range with the same comparisons (and collation) the reads use.
   */
  const withOrdinalStarts = async (ranges: TKeyRange[], bounds: TKeyBound[]): Promise<TPlannedRange[]> => {
    if (!source.ordinal || ranges.length < 2) return ranges;
    const groupFields = ordinalGroupFields(source);
    const all = buildFilters(source, provider, null, null, WHOLE_TABLE);
    // SQLite's "?" bind in text order, and the CASE comes before the WHERE: its values go first there.
    const caseParams: unknown[] = [];
    const caseParam = provider === "sqlite" ? (value: unknown) => (caseParams.push(value), "?") : all.param;
    const cases = bounds.map((bound, index) => `WHEN ${keyFilter(source, "upTo", bound, caseParam)} THEN ${index}`).join(" ");
    const values = [...caseParams, ...all.params];
    const text = `SELECT ${groupFields.map(quote).join(", ")}, CASE ${cases} ELSE ${bounds.length} END AS "part", COUNT(*) AS "count" FROM ${quote(source.table)}${filter(all.equals)} GROUP BY ${groupFields.map(quote).join(", ")}, "part"`;
    const counted = provider === "sqlite" ? (() => {
      const db = openSqliteReadOnly(url);
      try {
        return db.prepare(text).all(...values) as Record<string, unknown>[];
      } finally {
        db.close();
      }
    })() : await (async () => {
      const client = await connectPostgres(url);
      try {
        return await queryRows<Record<string, unknown>>(client, { text, values });
      } finally {
        await client.end();
      }
    })();
    // Range j starts after the rows of ranges 0..j-1.
    const perRange = ranges.map(() => new Map<string, number>());
    for (const row of counted) {
      const group = groupFields.map((field) => String(row[field])).join("\u0000");
      for (let later = Number(row.part) + 1; later < ranges.length; later++) perRange[later]!.set(group, (perRange[later]!.get(group) ?? 0) + Number(row.count));
    }
    return ranges.map((range, index) => ({ ...range, ordinalStarts: [...perRange[index]!.entries()] }));
  };

  if (provider === "sqlite") {
    const db = openSqliteReadOnly(url);
    try {
      const rows = Number((db.prepare(countText).get(...params) as { count: number }).count);
      if (partsOf(rows) === 1) return { rows, ranges: [WHOLE_TABLE] };
      const at = db.prepare(atText);
      const lastId = dateColumn ? db.prepare(lastIdText) : null;
      return await boundaries(
        rows,
        async (offset) => (at.get(...params, offset) as { value: string | number } | undefined)?.value,
        async (date) => (lastId!.get(...params, date) as { value: string | number } | undefined)?.value,
      );
    } finally {
      db.close();
    }
  }
  const client = await connectPostgres(url);
  try {
    const rows = Number((await queryRows<{ count: string }>(client, { text: countText, values: params }))[0]!.count);
    if (partsOf(rows) === 1) return { rows, ranges: [WHOLE_TABLE] };
    const one = async (text: string, extra: unknown) => (await queryRows<{ value: string | number }>(client, { text, values: [...params, extra], types: PG_TYPES }))[0]?.value;
    return await boundaries(
      rows,
      (offset) => one(atText, offset),
      (date) => one(lastIdText, date),
    );
  } finally {
    await client.end();
  }
}
