// npm run test:e2e: a fresh database with the demo data, a production build, then Playwright
// in Debian's Chromium. E2E_DATABASE_URL=postgresql://... runs the same suite on PostgreSQL.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";

const dataDir = "./data/e2e";
const databaseUrl = process.env.E2E_DATABASE_URL ?? `file:${dataDir}/careexport.db`;
const env = {
  ...process.env,
  NODE_ENV: "production",
  CHECKPOINT_DISABLE: "1",
  NEXT_TELEMETRY_DISABLED: "1",
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
  DATABASE_URL: databaseUrl,
  DATA_DIR: dataDir,
  E2E_DATA_DIR: dataDir,
  E2E_DATABASE_URL: databaseUrl,
  ANON_KEY: "e2e-anon-key-0123456789abcdef",
  FILE_ENCRYPTION_KEY: "e2e-file-key-0123456789abcdef",
  LINK_SIGNING_KEY: "e2e-link-key-0123456789abcdef",
  AUDIT_KEY: "e2e-audit-key-0123456789abcdef",
  NEXTAUTH_SECRET: "e2e-nextauth-secret-0123456789",
};

/** A port nobody listens on: a server left running on the default port must not fail the suite. */
async function freePort(preferred) {
  const tryPort = (port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(null));
      server.listen(port, "127.0.0.1", () => {
        const { port: bound } = server.address();
        server.close(() => resolve(bound));
      });
    });

  return (await tryPort(preferred)) ?? (await tryPort(0));
}
env.E2E_PORT = process.env.E2E_PORT ?? String(await freePort(3200));

function run(title, command, args) {
  console.log(`\n━━ ${title}`);
  const result = spawnSync(command, args, { stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`${title} failed`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync("/usr/bin/chromium") && !process.env.CHROMIUM_PATH) {
  console.error("Chromium is not installed: apt-get install -y chromium (Playwright drives Debian's build).");
  process.exit(1);
}

rmSync(dataDir, { recursive: true, force: true });
if (databaseUrl.startsWith("postgres")) {
  run("Reset the e2e PostgreSQL database", process.execPath, ["scripts/reset-pg-database.mjs", databaseUrl]);
}
run("Prisma clients", process.execPath, ["scripts/generate-client.mjs", "--if-needed"]);
run("Migrate and load demo data", "node_modules/.bin/tsx", ["scripts/prepare-db.ts", "--seed"]);
if (!process.argv.includes("--no-build")) run("Production build", "node_modules/.bin/next", ["build"]);
run("Playwright", "node_modules/.bin/playwright", ["test", ...process.argv.slice(2).filter((arg) => arg !== "--no-build")]);
