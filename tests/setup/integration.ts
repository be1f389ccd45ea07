// vitest setupFile for integration tests: a fresh database and fixed test secrets per file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll } from "vitest";

import { disconnectPrisma } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";

import { createTestDatabase } from "./test-database";

const database = await createTestDatabase();
const dataDir = mkdtempSync(path.join(tmpdir(), "careexport-data-"));

Object.assign(process.env, {
  DATABASE_URL: database.url,
  DATA_DIR: dataDir,
  STORAGE_DIR: path.join(dataDir, "files"),
  JOB_RUNNER: "off",
  NEXTAUTH_SECRET: "test-nextauth-secret-0123456789",
  ANON_KEY: "test-anon-key-0123456789abcdef",
  FILE_ENCRYPTION_KEY: "test-file-key-0123456789abcdef",
  LINK_SIGNING_KEY: "test-link-key-0123456789abcdef",
  AUDIT_KEY: "test-audit-key-0123456789abcdef",
  APP_URL: "http://127.0.0.1:3999",
  // Webhook receivers and the warehouse run on this machine; tests of the refusal clear it.
  OUTBOUND_ALLOW_HOSTS: "127.0.0.1",
  // Test files call handlers hundreds of times as a few users (and unauthenticated calls share one
  // unknown address): the API rate limit is off here, and on in tests/integration/rate-limits.test.ts.
  API_RATE_LIMIT_PER_MINUTE: "0",
});
resetEnvCache();

afterAll(async () => {
  await disconnectPrisma();
  await database.drop();
  // The file's stored exports and keys: nothing of a test run stays in the temporary directory.
  rmSync(dataDir, { recursive: true, force: true });
});
