import { seedDemo } from "@/lib/demo/seed-demo";
import { env } from "@/lib/env";

import { parseFlags } from "../args";

export const summary = "Load the synthetic demo programme and the demo sign-ins (never in production)";
export const usage = "npm run cli -- seed:demo";

export async function run(argv: string[]) {
  parseFlags(argv, {});
  if (env().NODE_ENV === "production" && env().ALLOW_DEMO_SEED !== "true") {
    console.error("seed:demo: refusing to load demo data with NODE_ENV=production (set ALLOW_DEMO_SEED=true for a staging copy).");

    return 1;
  }
  const started = Date.now();
  const result = await seedDemo();
  console.log(`Demo data loaded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.resources} FHIR resources, ${result.users} new users, ${result.assignments} new assignments.`);

  return 0;
}
