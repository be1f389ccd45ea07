// Upgrading an embedded SQLite database with data: a migration that redefines a table (Prisma's
// CREATE new_X / copy / DROP X / RENAME) must keep every row of the tables that point at it.
// With foreign keys on, DROP TABLE "Patient" deleted every encounter by cascade.
import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

import { applySqliteMigration, migrationNames } from "@/lib/db/migrate";

const dir = mkdtempSync(path.join(tmpdir(), "careexport-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const migration = (name: string) => ({ name, sql: readFileSync(path.join("prisma", "migrations", name, "migration.sql"), "utf8"), checksum: "test" });

function databaseAt(lastName: string) {
  const db = new Database(path.join(dir, `${lastName}.db`));
  db.exec(`CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
  for (const name of migrationNames(false)) {
    if (name > lastName) break;
    applySqliteMigration(db, migration(name));
  }

  return db;
}

describe("SQLite migrations on a database with data", () => {
  it("a migration that redefines Patient keeps every patient's encounters (foreign keys off around it, checked before commit)", () => {
    const names = migrationNames(false);
    // The first migration of this release that redefines the Patient table.
    const redefinition = names.find((name) => /CREATE TABLE "new_Patient"/.test(migration(name).sql));
    expect(redefinition, "no migration redefines Patient any more: pick another table's").toBeDefined();
    const db = databaseAt(names[names.indexOf(redefinition!) - 1]!);
    const now = new Date().toISOString();
    db.prepare(`INSERT INTO "Patient" ("id", "fhirId", "givenName", "familyName", "raw", "updatedAt") VALUES ('p1', 'pat-1', 'Ada', 'Lovelace', '{}', ?)`).run(now);
    const insertEncounter = db.prepare(`INSERT INTO "Encounter" ("id", "fhirId", "patientId", "status", "startAt", "raw", "updatedAt") VALUES (?, ?, 'p1', 'finished', ?, '{}', ?)`);
    for (let n = 0; n < 3; n++) insertEncounter.run(`e${n}`, `enc-${n}`, now, now);

    applySqliteMigration(db, migration(redefinition!));

    expect(db.prepare(`SELECT count(*) AS n FROM "Encounter" WHERE "patientId" = 'p1'`).get()).toEqual({ n: 3 });
    expect(db.prepare(`SELECT "givenName" FROM "Patient" WHERE "id" = 'p1'`).get()).toEqual({ givenName: "Ada" });
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    db.close();
  });

  it("a migration that would leave rows pointing nowhere is rolled back whole", () => {
    const names = migrationNames(false);
    const db = databaseAt(names[names.length - 1]!);
    const now = new Date().toISOString();
    db.prepare(`INSERT INTO "Patient" ("id", "fhirId", "givenName", "familyName", "raw", "updatedAt") VALUES ('p2', 'pat-2', 'Grace', 'Hopper', '{}', ?)`).run(now);
    db.prepare(`INSERT INTO "Encounter" ("id", "fhirId", "patientId", "status", "startAt", "raw", "updatedAt") VALUES ('e9', 'enc-9', 'p2', 'finished', ?, '{}', ?)`).run(now, now);
    const broken = { name: "99999999999999_broken", sql: `CREATE TABLE "Marker" ("id" TEXT PRIMARY KEY); DELETE FROM "Patient" WHERE "id" = 'p2';`, checksum: "test" };

    expect(() => applySqliteMigration(db, broken)).toThrow(/99999999999999_broken leaves 1 rows whose foreign keys point nowhere \(first: Encounter -> Patient\)/);
    expect(db.prepare(`SELECT count(*) AS n FROM "Patient" WHERE "id" = 'p2'`).get()).toEqual({ n: 1 });
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE "name" = 'Marker'`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT count(*) AS n FROM _prisma_migrations WHERE migration_name = ?`).get(broken.name)).toEqual({ n: 0 });
    db.close();
  });
});
