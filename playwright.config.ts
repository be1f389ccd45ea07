import { defineConfig } from "@playwright/test";

// Drives the real production build (`next build` first; scripts/run-e2e.mjs does it) in
// Debian's Chromium. The database is prepared by scripts/run-e2e.mjs (migrated + demo seed).
const PORT = Number(process.env.E2E_PORT ?? 3200);
const baseURL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "e2e",
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    acceptDownloads: true,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command: `node_modules/.bin/next start -H 127.0.0.1 -p ${PORT}`,
    url: `${baseURL}/login`,
    reuseExistingServer: false,
    timeout: 90_000,
    env: {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? "file:./data/e2e/careexport.db",
      DATA_DIR: process.env.E2E_DATA_DIR ?? "./data/e2e",
      NEXTAUTH_URL: baseURL,
      APP_URL: baseURL,
      NEXTAUTH_SECRET: "e2e-nextauth-secret-0123456789",
      ANON_KEY: "e2e-anon-key-0123456789abcdef",
      FILE_ENCRYPTION_KEY: "e2e-file-key-0123456789abcdef",
      LINK_SIGNING_KEY: "e2e-link-key-0123456789abcdef",
      AUDIT_KEY: "e2e-audit-key-0123456789abcdef",
      // The warehouse spec registers the local PostgreSQL, which the outbound guard refuses otherwise.
      OUTBOUND_ALLOW_HOSTS: "127.0.0.1",
      // The suite is a few demo users making every request of every spec within minutes; the limit
      // itself (100 a minute by default) is tested in tests/integration/rate-limits.test.ts.
      API_RATE_LIMIT_PER_MINUTE: "1000",
    },
  },
});
