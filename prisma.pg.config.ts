import path from "node:path";

import { defineConfig } from "prisma/config";

import { MigrationSafePrismaPg } from "./prisma/pg-migrate-adapter";

// The Prisma CLI against PostgreSQL (migrate diff for new migrations, status checks).
// Applying migrations at run time goes through lib/db/migrate.ts instead.
const fromEnv = [process.env.PG_DATABASE_URL, process.env.DATABASE_URL].find((value) => /^postgres(ql)?:/.test(value ?? ""));
const url = fromEnv ?? "postgresql://postgres@127.0.0.1:5432/postgres";
process.env.DATABASE_URL = url;

// The wasm engine leaves a 10 s timer behind; unref long timers so each command exits promptly.
const originalSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = originalSetTimeout(fn, ms, ...args);
  if ((ms ?? 0) >= 10_000) timer.unref?.();
  return timer;
}) as typeof setTimeout;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "postgres", "schema.prisma"),
  migrations: { path: path.join("prisma", "postgres", "migrations") },
  adapter: async () => new MigrationSafePrismaPg(url),
});
