// npm test: unit tests, then integration tests on SQLite, then on PostgreSQL when
// TEST_DATABASE_URL names a server (each test file creates and drops its own database there).
import { spawnSync } from "node:child_process";

const env = { ...process.env, NODE_ENV: "test", CHECKPOINT_DISABLE: "1", NEXT_TELEMETRY_DISABLED: "1" };
const extra = process.argv.slice(2);
const vitest = ["node_modules/vitest/vitest.mjs", "run"];

function step(title, args, stepEnv = env) {
  console.log(`\n━━ ${title}`);
  const result = spawnSync(process.execPath, args, { stdio: "inherit", env: stepEnv });
  return result.status === 0;
}

const results = [];
results.push(["generate clients", step("Prisma clients", ["scripts/generate-client.mjs", "--if-needed"])]);
results.push(["unit", step("Unit tests", [...vitest, ...extra])]);
const sqliteEnv = { ...env };
delete sqliteEnv.TEST_DATABASE_URL;
results.push(["integration (SQLite)", step("Integration tests on SQLite", [...vitest, "-c", "vitest.integration.config.mts", ...extra], sqliteEnv)]);
if (process.env.TEST_DATABASE_URL) {
  results.push(["integration (PostgreSQL)", step("Integration tests on PostgreSQL", [...vitest, "-c", "vitest.integration.config.mts", ...extra])]);
} else {
  console.log("\n(PostgreSQL integration run skipped: set TEST_DATABASE_URL=postgresql://user@127.0.0.1:5432/postgres to include it)");
}

console.log("\n━━ Summary");
for (const [name, ok] of results) console.log(`${ok ? "✓" : "✗"} ${name}`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
