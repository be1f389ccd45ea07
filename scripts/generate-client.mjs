// Generates both Prisma clients: generated/prisma (SQLite) and generated/prisma-pg (PostgreSQL).
// A generated client is provider-specific (query compiler and types); having both lets one
// build serve either database, chosen at run time by DATABASE_URL.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";

const env = { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
// Generation needs a URL of the right kind, never a connection.
const targets = [
  { output: "generated/prisma", config: "prisma.config.ts", url: "file:./data/generate.db" },
  { output: "generated/prisma-pg", config: "prisma.pg.config.ts", url: "postgresql://postgres@127.0.0.1:5432/postgres" },
];

execFileSync(process.execPath, ["scripts/make-pg-schema.mjs"], { stdio: "inherit" });
const schemaHash = createHash("sha256").update(readFileSync("prisma/schema.prisma")).digest("hex");

for (const target of targets) {
  const marker = `${target.output}/.schema-hash`;
  if (process.argv.includes("--if-needed") && existsSync(marker) && readFileSync(marker, "utf8") === schemaHash) continue;
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "generate", "--no-hints", "--config", target.config], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...env, DATABASE_URL: target.url, PG_DATABASE_URL: target.config.includes("pg") ? target.url : undefined },
  });
  writeFileSync(marker, schemaHash);
  console.log(`Prisma client generated: ${target.output}`);
}
