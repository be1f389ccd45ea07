// What /api/health says about the database: reachable, and every migration of this release
// applied. A reachable but unmigrated database (`next start` without `npm start`, which migrates
// first) answered "ok" while every page and job failed on missing tables.
import { isPostgres, prisma } from "@/lib/db/client";
import { migrationNames } from "@/lib/db/migrate";

export type TDatabaseHealth = { ok: true } | { ok: false; database: "unreachable" } | { ok: false; database: "migrations pending"; pending: string[] };

/** This release's migrations do not change while the server runs. */
let expected: string[] | null = null;

export async function databaseHealth(): Promise<TDatabaseHealth> {
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
  } catch {
    return { ok: false, database: "unreachable" };
  }
  expected ??= migrationNames(isPostgres());
  let applied = new Set<string>();
  try {
    const rows = await prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
    );
    applied = new Set(rows.map((row) => row.migration_name));
  } catch {
    // No migrations table: nothing was applied.
  }
  const pending = expected.filter((name) => !applied.has(name));

  return pending.length ? { ok: false, database: "migrations pending", pending } : { ok: true };
}
