import { retireAnchorIfDatabaseIsNew } from "@/lib/audit/head-anchor";
import { migrateDatabase } from "@/lib/db/migrate";
import { env } from "@/lib/env";

import { parseFlags } from "../args";

export const summary = "Apply pending database migrations (SQLite or PostgreSQL, from DATABASE_URL)";
export const usage = "npm run cli -- db:migrate";

export async function run(argv: string[]) {
  parseFlags(argv, {});
  const result = await migrateDatabase(env().DATABASE_URL);
  console.log(result.applied.length ? `Applied ${result.applied.length} migration(s): ${result.applied.join(", ")}` : `Database is up to date (${result.total} migrations).`);
  const retired = await retireAnchorIfDatabaseIsNew(result.applied, env().DATABASE_URL);
  if (retired) console.log(retired);
}
