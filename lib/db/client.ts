import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

import { PrismaClient } from "@/generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "@/generated/prisma-pg/client";
import { env, isPostgresUrl } from "@/lib/env";

/** The one better-sqlite3 connection the adapter works on (its `client`); see sqliteTransactionConnection(). */
type TSqliteConnection = { prepare(sql: string): { run(...params: unknown[]): { changes: number }; all(...params: unknown[]): unknown[] } };

/** What the adapters' interactive transactions have in common (Prisma's driver adapter interface). */
type TAdapterTransaction = {
  executeRaw(query: { sql: string }): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
};
/** An open interactive transaction; `ending` once Prisma has sent its COMMIT or ROLLBACK. */
type TTransactionState = { ending: boolean };

/**
 * Marks `state.ending` when Prisma ends the transaction (commit, rollback, its timeout): it sends
 * COMMIT or ROLLBACK through executeRaw, then calls commit() or rollback() to release the
 * connection. From that moment nothing more may be sent on the connection directly: after the
 * ROLLBACK it would run outside any transaction.
 */
function trackEnd(transaction: TAdapterTransaction, state: TTransactionState, onEnd: () => void) {
  const executeRaw = transaction.executeRaw.bind(transaction);
  transaction.executeRaw = async (query) => {
    if (/^\s*(COMMIT|ROLLBACK)\b/i.test(query.sql)) state.ending = true;
    return executeRaw(query);
  };
  for (const end of ["commit", "rollback"] as const) {
    const original = transaction[end].bind(transaction);
    transaction[end] = async () => {
      state.ending = true;
      onEnd();
      return original();
    };
  }
}

/** The guard every direct statement passes: refused once the transaction it was given for has ended. */
function refuseAfterEnd(state: TTransactionState) {
  if (state.ending) throw new Error("the transaction has ended (committed, rolled back or timed out); statement not sent");
}

/**
 * Keeps the connection the adapter opens, and its open interactive transaction (the adapter runs
 * one at a time, BEGIN ... COMMIT on that connection), for the few writers that need prepared statements.
 */
class PrismaBetterSQLite3WithConnection extends PrismaBetterSQLite3 {
  connection: TSqliteConnection | null = null;
  openTransaction: TTransactionState | null = null;

  override async connect() {
    const adapter = await super.connect();
    const client = (adapter as unknown as { client?: TSqliteConnection }).client;
    this.connection = client && typeof client.prepare === "function" ? client : null;
    const typed = adapter as unknown as { startTransaction(isolationLevel?: unknown): Promise<TAdapterTransaction> };
    const start = typed.startTransaction.bind(adapter);
    typed.startTransaction = async (isolationLevel) => {
      const transaction = await start(isolationLevel);
      const state: TTransactionState = { ending: false };
      this.openTransaction = state;
      trackEnd(transaction, state, () => {
        if (this.openTransaction === state) this.openTransaction = null;
      });

      return transaction;
    };

    return adapter;
  }
}

const sqliteAdapters = new WeakMap<object, PrismaBetterSQLite3WithConnection>();

/** What the bulk writers use of a pg connection: a query, and the server process id to find it by. */
export type TPgConnection = {
  processID: number | null;
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: Record<string, unknown>[] }>;
};
type TPgTransaction = TAdapterTransaction & { client?: TPgConnection };
type TPgAdapter = { startTransaction(isolationLevel?: unknown): Promise<TPgTransaction> };
/** An open transaction's pool connection; `ending` once Prisma has sent its COMMIT or ROLLBACK. */
type TOpenTransaction = TTransactionState & { connection: TPgConnection };

/**
 * PrismaPg, keeping the pool connection of each open interactive transaction (the adapter runs a
 * transaction's BEGIN ... COMMIT on one pool client). pg's Client queues queries, so a bulk writer
 * can send statements on that client directly, inside the transaction, while Prisma waits for its
 * callback; see postgresTransactionConnection().
 */
class PrismaPgWithConnections extends PrismaPg {
  readonly openTransactions = new Set<TOpenTransaction>();

  override async connect() {
    const adapter = await super.connect();
    const typed = adapter as unknown as TPgAdapter;
    const start = typed.startTransaction.bind(adapter);
    typed.startTransaction = async (isolationLevel) => {
      const transaction = await start(isolationLevel);
      const connection = transaction.client;
      if (!connection || typeof connection.query !== "function") return transaction;
      const open: TOpenTransaction = { connection, ending: false };
      this.openTransactions.add(open);
      trackEnd(transaction, open, () => this.openTransactions.delete(open));

      return transaction;
    };

    return adapter;
  }
}

const pgAdapters = new WeakMap<object, PrismaPgWithConnections>();

function createClient(url: string) {
  const isPg = isPostgresUrl(url);
  const sqlite = isPg ? null : new PrismaBetterSQLite3WithConnection({ url, timeout: 10_000 });
  const postgres = isPg ? new PrismaPgWithConnections({ connectionString: url, max: 10 }) : null;
  const adapter = sqlite ?? postgres!;
  // Both clients are generated from one schema; the app is typed against the SQLite one and
  // keeps to the features both providers share.
  const Client = isPg ? (PostgresPrismaClient as unknown as typeof PrismaClient) : PrismaClient;

  const client = new Client({
    adapter,
    // Password hashes never leave the database unless a query asks for them by name.
    omit: { user: { passwordHash: true } },
    transactionOptions: { maxWait: 10_000, timeout: 30_000 },
  });
  if (sqlite) sqliteAdapters.set(client, sqlite);
  if (postgres) pgAdapters.set(client, postgres);

  return client;
}

export type TPrisma = ReturnType<typeof createClient>;
/** A transaction client: functions that take part in a caller's transaction accept one. */
export type TTx = Parameters<Parameters<TPrisma["$transaction"]>[0]>[0];
/** Either the client or a transaction: for functions that work inside or outside one. */
export type TDb = TPrisma | TTx;

const globalForPrisma = globalThis as unknown as { careexportPrisma?: ReturnType<typeof createClient> };

function getClient() {
  globalForPrisma.careexportPrisma ??= createClient(env().DATABASE_URL);
  return globalForPrisma.careexportPrisma;
}

/** The one database client, created on first use so importing this module never connects. */
export const prisma = new Proxy({} as ReturnType<typeof createClient>, {
  get(_target, property) {
    const client = getClient();
    const value = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
  has(_target, property) {
    return Reflect.has(getClient(), property);
  },
});

/**
 * SQLite: the connection the client's adapter opened, for statements inside the interactive
 * transaction `tx` (null on PostgreSQL, or if a Prisma release stops exposing it). The adapter
 * runs one transaction at a time, BEGIN ... COMMIT on this one connection, so statements prepared
 * on it inside `tx` are part of that transaction and roll back with it. Each statement is refused
 * once `tx` has ended (a timed-out import's late batch would otherwise run on its own, committed).
 * For bulk writers only (lib/fhir/import), which fall back to raw SQL through Prisma without it.
 */
export async function sqliteTransactionConnection(tx: TTx): Promise<TSqliteConnection | null> {
  const client = globalForPrisma.careexportPrisma;
  const adapter = client ? sqliteAdapters.get(client) : undefined;
  const connection = adapter?.connection;
  if (!connection) return null;
  // Through `tx` first: that fails once it has ended, and while it is open it is the connection's
  // one transaction (nothing runs between this answer and the next line).
  await tx.$queryRawUnsafe("SELECT 1");
  const open = adapter.openTransaction;
  if (!open || open.ending) return null;

  return {
    prepare(sql) {
      const statement = connection.prepare(sql);
      return {
        run: (...params) => {
          refuseAfterEnd(open);
          return statement.run(...params);
        },
        all: (...params) => {
          refuseAfterEnd(open);
          return statement.all(...params);
        },
      };
    },
  };
}

/**
 * PostgreSQL: the pool connection that the interactive transaction `tx` runs on (null on SQLite,
 * or if a Prisma release stops exposing it). Found by asking the transaction for its server
 * process id, so concurrent transactions on other pool connections are never confused with it.
 * Statements sent on it are part of the transaction and roll back with it. For bulk writers only
 * (lib/fhir/import/bulk-upsert.ts), which fall back to raw SQL through Prisma without it.
 */
export async function postgresTransactionConnection(tx: TTx): Promise<TPgConnection | null> {
  const client = globalForPrisma.careexportPrisma;
  const adapter = client ? pgAdapters.get(client) : undefined;
  if (!adapter?.openTransactions.size) return null;
  const [row] = await tx.$queryRawUnsafe<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`);
  for (const open of adapter.openTransactions) {
    if (!row || open.ending || open.connection.processID !== Number(row.pid)) continue;
    const { connection } = open;

    return {
      processID: connection.processID,
      // Checked when each statement is queued: JavaScript runs one thing at a time, so a statement
      // queued before Prisma's COMMIT/ROLLBACK runs inside the transaction, and none after it.
      query: async (text, values) => {
        refuseAfterEnd(open);
        return connection.query(text, values);
      },
    };
  }

  return null;
}

export function isPostgres() {
  return isPostgresUrl(env().DATABASE_URL);
}

const beforeDisconnect = new Set<() => Promise<void>>();

/**
 * Work to finish while the database is still there, when a process closes it (a command, a
 * benchmark, a test file): the audit head anchor of the records it just wrote, say. Each task once.
 */
export function runBeforeDisconnect(task: () => Promise<void>) {
  beforeDisconnect.add(task);
}

export async function disconnectPrisma() {
  for (const task of beforeDisconnect) await task().catch(() => undefined);
  await globalForPrisma.careexportPrisma?.$disconnect();
  globalForPrisma.careexportPrisma = undefined;
}
