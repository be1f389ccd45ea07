import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

import { PrismaClient } from "@/generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "@/generated/prisma-pg/client";
import { env, isPostgresUrl } from "@/lib/env";

function createClient(url: string) {
  const isPg = isPostgresUrl(url);
  const adapter = isPg ? new PrismaPg({ connectionString: url, max: 10 }) : new PrismaBetterSQLite3({ url, timeout: 10_000 });
  // Both clients are generated from one schema; the app is typed against the SQLite one and
  // keeps to the features both providers share.
  const Client = isPg ? (PostgresPrismaClient as unknown as typeof PrismaClient) : PrismaClient;

  return new Client({
    adapter,
    // Password hashes never leave the database unless a query asks for them by name.
    omit: { user: { passwordHash: true } },
    transactionOptions: { maxWait: 10_000, timeout: 30_000 },
  });
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
