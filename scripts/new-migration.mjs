// npm run db:new-migration -- <name>
// Writes the next migration for both providers by diffing the schema as last migrated (the
// committed prisma/postgres/schema.prisma) against the source schema. No database server needed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:new-migration -- <name in snake_case>");
  process.exit(2);
}

const PG_SCHEMA = "prisma/postgres/schema.prisma";
const work = path.join(tmpdir(), `careexport-migration-${process.pid}`);
mkdirSync(work, { recursive: true });

const hasMigrations = (dir) => existsSync(dir) && readdirSync(dir).some((entry) => /^\d{14}_/.test(entry));
const previousPg = existsSync(PG_SCHEMA) && hasMigrations("prisma/postgres/migrations") ? readFileSync(PG_SCHEMA, "utf8") : null;

execFileSync(process.execPath, ["scripts/make-pg-schema.mjs"], { stdio: "inherit" });

function diff(config, fromSchema, toSchema) {
  const from = fromSchema ? ["--from-schema-datamodel", fromSchema] : ["--from-empty"];
  return execFileSync(
    process.execPath,
    ["node_modules/prisma/build/index.js", "migrate", "diff", "--config", config, ...from, "--to-schema-datamodel", toSchema, "--script"],
    {
      encoding: "utf8",
      // The CLI connects even for a schema-to-schema diff: give SQLite a scratch file.
      env: { ...process.env, CHECKPOINT_DISABLE: "1", DATABASE_URL: `file:${path.join(work, "diff.db")}` },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
}

let previousSqlite = null;
let previousPgFile = null;
if (previousPg) {
  previousPgFile = path.join(work, "previous.pg.prisma");
  writeFileSync(previousPgFile, previousPg);
  previousSqlite = path.join(work, "previous.sqlite.prisma");
  // PostgreSQL-only native types (see make-pg-schema.mjs) mean nothing to SQLite.
  writeFileSync(previousSqlite, previousPg.replace('provider = "postgresql"', 'provider = "sqlite"').replace(/ @db\.\w+(?:\([^)]*\))?/g, ""));
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const outputs = [
  ["prisma/migrations", diff("prisma.config.ts", previousSqlite, "prisma/schema.prisma"), "sqlite"],
  ["prisma/postgres/migrations", diff("prisma.pg.config.ts", previousPgFile, PG_SCHEMA), "postgresql"],
];

for (const [dir, sql, provider] of outputs) {
  if (/This is an empty migration/.test(sql) || sql.trim() === "") {
    console.log(`${provider}: no changes`);
    continue;
  }
  mkdirSync(path.join(dir, `${stamp}_${name}`), { recursive: true });
  writeFileSync(path.join(dir, "migration_lock.toml"), `provider = "${provider}"\n`);
  writeFileSync(path.join(dir, `${stamp}_${name}`, "migration.sql"), sql);
  console.log(`${provider}: wrote ${dir}/${stamp}_${name}/migration.sql`);
}
