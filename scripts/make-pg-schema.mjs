// Writes prisma/postgres/schema.prisma from the single schema source (prisma/schema.prisma).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const source = readFileSync("prisma/schema.prisma", "utf8");
const pgSchema = source
  .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
  .replace('output     = "../generated/prisma"', 'output     = "../../generated/prisma-pg"')
  // PostgreSQL-only attributes ride in the source as a trailing `// postgres: @db.X` comment.
  .replace(/^(\s*\S.*?)\s*\/\/ postgres: (@db\.\w+(?:\([^)]*\))?)\s*$/gm, "$1 $2");

if (pgSchema.includes('"sqlite"') || !pgSchema.includes("../../generated/prisma-pg")) {
  throw new Error("make-pg-schema: the source schema no longer has the expected generator/datasource lines");
}

mkdirSync("prisma/postgres", { recursive: true });
writeFileSync(
  "prisma/postgres/schema.prisma",
  "// GENERATED from prisma/schema.prisma by scripts/make-pg-schema.mjs — do not edit.\n" + pgSchema,
);
