// Runs before `npm run dev` and `npm start`: applies pending migrations and, on a database
// with no users yet, loads the demo data (dev only, or when asked with --seed).
import { retireStaleHeadAnchor } from "@/lib/audit/head-anchor";
import { migrateDatabase, migrationNames } from "@/lib/db/migrate";
import { disconnectPrisma, prisma } from "@/lib/db/client";
import { env, isPostgresUrl } from "@/lib/env";

try {
  process.loadEnvFile();
} catch {}

async function main() {
  const args = process.argv.slice(2);
  const { DATABASE_URL, NODE_ENV } = env();
  const result = await migrateDatabase(DATABASE_URL);
  if (result.applied.length) console.log(`[careexport] applied ${result.applied.length} migration(s)`);
  // This run created the tables (the first migration was applied just now): an audit head anchor
  // in DATA_DIR belongs to an earlier database at this URL. It is moved aside, not deleted, and
  // only while the new database holds no audit record or checkpoint (see lib/audit/head-anchor.ts).
  if (result.applied[0] !== undefined && result.applied[0] === migrationNames(isPostgresUrl(DATABASE_URL))[0]) {
    const aside = await retireStaleHeadAnchor();
    if (aside) console.log(`[careexport] new database: the audit head anchor of the earlier one was moved to ${aside}`);
  }
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
