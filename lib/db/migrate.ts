// Applies the committed migrations of the configured provider. Tracks them in Prisma's own
// `_prisma_migrations` table with Prisma's DDL and checksums, so `prisma migrate status`
// agrees; it needs neither the Prisma CLI nor a native engine at run time.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";
import pg from "pg";

import { isPostgresUrl } from "@/lib/env";

const PRISMA_ADVISORY_LOCK = 72707369;

export type TMigrationResult = { applied: string[]; total: number };

function migrationsDir(isPg: boolean) {
  return path.join(process.cwd(), "prisma", ...(isPg ? ["postgres", "migrations"] : ["migrations"]));
}

function listMigrations(isPg: boolean) {
  const dir = migrationsDir(isPg);
  return migrationNames(isPg).map((name) => {
    const sql = readFileSync(path.join(dir, name, "migration.sql"));
    return { name, sql: sql.toString("utf8"), checksum: createHash("sha256").update(sql).digest("hex") };
  });
}

/** This release's migrations for the provider, by name, in order (what a migrated database has applied). */
export function migrationNames(isPg: boolean): string[] {
  const dir = migrationsDir(isPg);
  return readdirSync(dir)
    .filter((name) => /^\d{14}_/.test(name) && existsSync(path.join(dir, name, "migration.sql")))
    .sort();
}

export function sqliteFilePath(url: string) {
  const file = url.replace(/^file:/, "").split("?")[0]!;
  // The database file is runtime configuration, not part of the build: keep Turbopack from
  // tracing (and shipping) the whole project because of this join.
  return path.isAbsolute(file) ? file : path.join(/*turbopackIgnore: true*/ process.cwd(), file);
}

/**
 * One migration in one transaction, with foreign keys off. Prisma writes a SQLite column change as
 * a table redefinition (CREATE new_X, copy, DROP X, RENAME) between `PRAGMA foreign_keys=OFF/ON`,
 * but that pragma does nothing inside a transaction, and with foreign keys on, DROP TABLE first
 * deletes every row, cascading: redefining Patient would delete every patient's encounters,
 * notes and observations. So they are switched off around the transaction, and the result is
 * checked with foreign_key_check before it commits: a violation rolls the migration back.
 */
export function applySqliteMigration(db: Database.Database, migration: { name: string; sql: string; checksum: string }) {
  db.pragma("foreign_keys = OFF");
  try {
    db.transaction(() => {
      db.exec(migration.sql);
      const violations = db.pragma("foreign_key_check") as { table: string; parent: string }[];
      if (violations.length) {
        throw new Error(`migration ${migration.name} leaves ${violations.length} rows whose foreign keys point nowhere (first: ${violations[0]!.table} -> ${violations[0]!.parent})`);
      }
      db.prepare(`INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (?, ?, ?, ?, 1)`).run(
        randomUUID(),
        migration.checksum,
        Date.now(),
        migration.name,
      );
    }).immediate();
  } finally {
    db.pragma("foreign_keys = ON");
  }
}

function migrateSqlite(url: string): TMigrationResult {
  const migrations = listMigrations(false);
  const file = sqliteFilePath(url);
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 10000");
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
    const done = new Set(
      (db.prepare(`SELECT migration_name FROM _prisma_migrations WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`).all() as { migration_name: string }[]).map((row) => row.migration_name),
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      applySqliteMigration(db, migration);
      applied.push(migration.name);
    }

    return { applied, total: migrations.length };
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string): Promise<TMigrationResult> {
  const migrations = listMigrations(true);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const failed = await client.query(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL`);
    if (failed.rowCount) {
      throw new Error(`migration ${failed.rows[0].migration_name} failed earlier; resolve it before migrating again`);
    }
    const done = new Set((await client.query(`SELECT migration_name FROM _prisma_migrations WHERE rolled_back_at IS NULL`)).rows.map((row) => row.migration_name as string));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`, [
          randomUUID(),
          migration.checksum,
          migration.name,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
      applied.push(migration.name);
    }

    return { applied, total: migrations.length };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
}

export async function migrateDatabase(url: string): Promise<TMigrationResult> {
  return isPostgresUrl(url) ? migratePostgres(url) : migrateSqlite(url);
}
