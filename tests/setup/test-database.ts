// Each integration test file gets its own fresh database with the real migrations applied:
// a SQLite file in a temp dir, or a new PostgreSQL database when TEST_DATABASE_URL is set.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import pg from "pg";

import { migrateDatabase } from "@/lib/db/migrate";

export type TTestDatabase = { url: string; drop: () => Promise<void> };

function assertLocal(url: string) {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", ""].includes(host)) {
    throw new Error(`Refusing to run tests against a non-local database host (${host})`);
  }
}

export async function createTestDatabase(): Promise<TTestDatabase> {
  const server = process.env.TEST_DATABASE_URL;
  if (server && /^postgres/.test(server)) {
    assertLocal(server);
    const name = `careexport_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(server);
    url.pathname = `/${name}`;
    await migrateDatabase(url.toString());

    return {
      url: url.toString(),
      drop: async () => {
        const dropper = new pg.Client({ connectionString: server });
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await dropper.end();
      },
    };
  }

  const dir = mkdtempSync(path.join(tmpdir(), "careexport-test-"));
  const url = `file:${path.join(dir, "test.db")}`;
  await migrateDatabase(url);

  return { url, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
