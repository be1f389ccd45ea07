import path from "node:path";

import { defineConfig } from "prisma/config";

import { MigrationSafePrismaSQLite } from "./prisma/sqlite-migrate-adapter";

// With a config file Prisma no longer reads .env itself; without DATABASE_URL it would try
// to download the native engine, which these machines cannot.
try {
  process.loadEnvFile();
} catch {}
process.env.DATABASE_URL ??= "file:./data/careexport.db";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new MigrationSafePrismaSQLite({ url: process.env.DATABASE_URL! }),
});
