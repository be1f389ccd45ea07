// Runs before `npm run dev` and `npm start`: applies pending migrations and, on a database
// with no users yet, loads the demo data (dev only, or when asked with --seed).
import { retireAnchorIfDatabaseIsNew } from "@/lib/audit/head-anchor";
import { migrateDatabase } from "@/lib/db/migrate";
import { disconnectPrisma, prisma } from "@/lib/db/client";
import { env } from "@/lib/env";

try {
  process.loadEnvFile();
} catch {}

async function main() {
  const args = process.argv.slice(2);
  const { DATABASE_URL, NODE_ENV } = env();
  const result = await migrateDatabase(DATABASE_URL);
  if (result.applied.length) console.log(`[careexport] applied ${result.applied.length} migration(s)`);
  // A database created just now: the audit head anchor of an earlier one at this URL is moved aside.
  const retired = await retireAnchorIfDatabaseIsNew(result.applied, DATABASE_URL);
  if (retired) console.log(`[careexport] ${retired}`);
  // The system templates ship as files in templates/; a changed file becomes a new version.
  const { syncSystemTemplates } = await import("@/lib/templates/sync-system-templates");
  await syncSystemTemplates(prisma);

  const shouldSeed = args.includes("--seed") || (!args.includes("--no-seed") && NODE_ENV !== "production");
  if (!shouldSeed) return;
  const users = await prisma.user.count();
  if (users > 0) return;

  console.log("[careexport] empty database: loading the demo data (first run only)…");
  const { seedDemo } = await import("@/lib/demo/seed-demo");
  const started = Date.now();
  await seedDemo();
  console.log(`[careexport] demo data loaded in ${((Date.now() - started) / 1000).toFixed(1)} s. Demo sign-ins are listed in README.md.`);
}

main()
  .then(() => disconnectPrisma())
  .catch(async (error) => {
    console.error(`[careexport] database preparation failed: ${(error as Error).message}`);
    await disconnectPrisma();
    process.exit(1);
  });
