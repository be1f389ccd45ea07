// npm run cli -- <command> [--flag value ...]
// Each command lives in cli/commands/<name>.ts and is loaded only when called.
import { AppError } from "@/lib/errors/app-error";
import { describeFailure } from "@/lib/errors/describe-failure";

import { CliUsageError } from "./args";

// Operators keep settings in .env; the app itself reads only lib/env.ts, lazily, after this.
try {
  process.loadEnvFile();
} catch {}

type TCommandModule = { run: (argv: string[]) => Promise<number | void>; summary: string; usage: string };

const COMMANDS: Record<string, () => Promise<TCommandModule>> = {
  "db:migrate": () => import("./commands/db-migrate"),
  "users:create": () => import("./commands/users-create"),
  "tokens:create": () => import("./commands/tokens-create"),
  "patients:assign": () => import("./commands/patients-assign"),
  "audit:verify": () => import("./commands/audit-verify"),
  import: () => import("./commands/import"),
  "seed:demo": () => import("./commands/seed-demo"),
  "audit:purge": () => import("./commands/audit-purge"),
  "schedules:tick": () => import("./commands/schedules-tick"),
  "schedules:list": () => import("./commands/schedules-list"),
  "export:datasets": () => import("./commands/export-datasets"),
  worker: () => import("./commands/worker"),
};

async function printHelp() {
  console.log("CareExport command line\n\nUsage: npm run cli -- <command> [options]\n\nCommands:");
  for (const [name, load] of Object.entries(COMMANDS)) {
    const command = await load();
    console.log(`  ${name.padEnd(20)} ${command.summary}`);
  }
}

async function main() {
  const [name, ...argv] = process.argv.slice(2);
  if (!name || name === "help" || name === "--help") {
    await printHelp();
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`Unknown command "${name}". Run \`npm run cli -- help\` for the list.`);
    return 2;
  }
  const command = await load();
  if (argv.includes("--help")) {
    console.log(command.usage);
    return 0;
  }
  try {
    return (await command.run(argv)) ?? 0;
  } catch (error) {
    if (error instanceof CliUsageError) {
      console.error(`${name}: ${error.message}\nUsage: ${command.usage}`);
      return 2;
    }
    if (error instanceof AppError) {
      console.error(`${name}: ${error.message}`);
      return error.code === "INVALID_INPUT" ? 2 : 1;
    }
    // One line in words; a driver's text can run to many lines and quote patient data.
    console.error(`${name}: ${describeFailure(error)}`);
    return 1;
  }
}

main()
  .catch((error: unknown) => {
    // A command that failed to load, or anything thrown outside a command's run.
    console.error(`careexport: ${describeFailure(error)}`);
    return 1;
  })
  .then(async (code) => {
    const { disconnectPrisma } = await import("@/lib/db/client");
    await disconnectPrisma().catch(() => undefined);
    process.exit(code);
  });
