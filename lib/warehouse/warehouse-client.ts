// Read-only access to a registered analytics warehouse (PostgreSQL). Every session is made
// read-only twice over: the session default (SET SESSION CHARACTERISTICS ... READ ONLY) and an
// explicit BEGIN READ ONLY around the export cursor; every statement has a timeout, and a
// session left idle inside a transaction is ended by the server. The host is vetted like every
// outbound target (lib/outbound: public addresses, or allow-listed by the operator) and the
// socket connects to the vetted address.
import net from "node:net";

import pg from "pg";

import { queryRows } from "@/lib/db/direct-connection";
import { lookupReturning, OutboundRefusedError, type TVettedAddress, vetOutboundHost } from "@/lib/outbound";

const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 60_000;
const COUNT_TIMEOUT_MS = 10_000;
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10 * 60_000;
// Rows per round trip to the warehouse, handed on in the caller's (smaller) batches: at the
// writer's 500 rows the export waited on the cursor's round trips (see BENCHMARKS.md).
const FETCH_ROWS = 5_000;

// Dates and times stay the warehouse's own text ("2024-03-01", "2024-03-01 10:00:00+00"): pg
// would otherwise parse them in the server process's local zone, and the policies accept text.
const TEXT_OIDS = new Set([1082, 1083, 1114, 1184, 1186, 1266]);
const TYPES = {
  getTypeParser: ((oid: number, format?: string) => (TEXT_OIDS.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format as "text"))) as typeof pg.types.getTypeParser,
};

export class WarehouseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WarehouseUnavailableError";
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A driver error in words, with nothing of the URL's credentials in it. */
export function describeConnectionError(error: unknown, url: string): string {
  const code = (error as { code?: string } | null)?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host not found",
    ETIMEDOUT: "connection timed out",
    "28P01": "authentication failed",
    "28000": "authentication failed",
    "3D000": "database does not exist",
    "42501": "permission denied",
    "57014": "statement timed out",
  };
  let message = (code && known[code]) || (error instanceof Error && /timeout/i.test(error.message) ? "connection timed out" : error instanceof Error ? error.message : "unknown error");
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) message = message.split(password).join("***");
  } catch {}

  return message.slice(0, 200);
}

/**
 * pg's socket, connecting wherever pg asks but through a lookup that answers with the vetted
 * address (pg keeps the host name for TLS: SNI and the certificate check use it).
 */
function socketConnectingTo(vetted: () => TVettedAddress | undefined): net.Socket {
  const socket = new net.Socket();
  const connect = socket.connect.bind(socket) as (options: net.TcpSocketConnectOpts) => net.Socket;
  socket.connect = ((port: number, host: string) => {
    const address = vetted();
    if (!address) throw new Error("warehouse host not vetted");
    return connect({ port, host, lookup: lookupReturning(address) });
  }) as typeof socket.connect;

  return socket;
}

/** A connected, read-only session. The caller ends it (`client.end()`). */
export async function openWarehouseSession(url: string): Promise<pg.Client> {
  let vetted: TVettedAddress | undefined;
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: "careexport-warehouse",
    types: TYPES,
    stream: () => socketConnectingTo(() => vetted),
  });
  // A server-side disconnect while idle must not crash the process.
  client.on("error", () => {});
  try {
    // The host pg itself settled on (a `?host=` in the URL wins over the authority part).
    const host = (client as unknown as { host?: string }).host ?? "";
    if (host.startsWith("/")) throw new OutboundRefusedError("a local socket path is not a warehouse host");
    vetted = await vetOutboundHost(host);
    await client.connect();
    await client.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
    await client.query(`SET statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
    await client.query(`SET idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_TIMEOUT_MS}`);
  } catch (error) {
    await client.end().catch(() => {});
    if (error instanceof OutboundRefusedError) throw new WarehouseUnavailableError(`refused: ${error.detail}`);
    throw new WarehouseUnavailableError(describeConnectionError(error, url));
  }

  return client;
}

export async function withWarehouseSession<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await openWarehouseSession(url);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export type TWarehouseView = { schema: string; view: string; columns: { name: string; type: string }[] };

/** Every view visible to the connection's user whose name ends in `_anon`, with its columns. */
export async function discoverAnonViews(client: pg.Client): Promise<TWarehouseView[]> {
  const result = await client.query<{ schema: string; view: string; column: string; type: string }>(
    `SELECT v.table_schema::text AS schema, v.table_name::text AS view, c.column_name::text AS column, c.data_type::text AS type
       FROM information_schema.views v
       JOIN information_schema.columns c ON c.table_schema = v.table_schema AND c.table_name = v.table_name
      WHERE lower(v.table_name::text) LIKE '%\\_anon' ESCAPE '\\'
        AND v.table_schema NOT IN ('pg_catalog', 'information_schema')
      ORDER BY v.table_schema, v.table_name, c.ordinal_position`,
  );
  const views = new Map<string, TWarehouseView>();
  for (const row of result.rows) {
    const key = `${row.schema}.${row.view}`;
    if (!views.has(key)) views.set(key, { schema: row.schema, view: row.view, columns: [] });
    views.get(key)!.columns.push({ name: row.column, type: row.type });
  }

  return [...views.values()];
}

/** The view's row count, or null when it takes too long (catalog and progress only). */
export async function countViewRows(client: pg.Client, schema: string, view: string): Promise<number | null> {
  try {
    await client.query(`SET statement_timeout = ${COUNT_TIMEOUT_MS}`);
    const result = await client.query<{ count: string }>(`SELECT count(*)::text AS count FROM ${quote(schema)}.${quote(view)}`);
    return Number(result.rows[0]!.count);
  } catch {
    return null;
  } finally {
    await client.query(`SET statement_timeout = ${STATEMENT_TIMEOUT_MS}`).catch(() => {});
  }
}

/**
 * The named columns of a view, a batch at a time, through a server-side cursor in one
 * read-only transaction (a view need not have a key to page on). Only the listed columns
 * are selected: a refused column is never read. Rows are arrays in `columns` order.
 */
export async function* readViewBatches(url: string, schema: string, view: string, columns: string[], batchSize: number): AsyncGenerator<unknown[][]> {
  const client = await openWarehouseSession(url);
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`DECLARE careexport_export NO SCROLL CURSOR FOR SELECT ${columns.map(quote).join(", ")} FROM ${quote(schema)}.${quote(view)}`);
    const size = Math.max(1, Math.floor(batchSize));
    const fetchRows = Math.max(size, FETCH_ROWS);
    for (;;) {
      const rows = await queryRows<unknown[]>(client, { text: `FETCH FORWARD ${fetchRows} FROM careexport_export`, rowMode: "array" });
      for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
      if (rows.length < fetchRows) break;
    }
    await client.query("COMMIT");
  } finally {
    await client.end().catch(() => {});
  }
}
