import { startupBaseUrlProblem } from "@/lib/app-url/app-base-url";
import { env } from "@/lib/env";
import { PERIODIC_TASKS } from "@/lib/jobs/periodic-tasks";
import { startJobRunner } from "@/lib/jobs/runner";
import { installGracefulShutdown } from "@/lib/lifecycle/graceful-shutdown";

import { parseFlags } from "../args";

export const summary = "Run a job worker (exports, sweeper, scheduler) until stopped";
export const usage = "npm run worker [-- --concurrency N]";

export async function run(argv: string[]) {
  const { flags } = parseFlags(argv, { concurrency: {} });
  // A worker writes emailed links and webhook notices: it needs the public address as the server does.
  const problem = startupBaseUrlProblem();
  if (problem) {
    console.error(problem);
    process.exitCode = 1;

    return;
  }
  const concurrency = flags.concurrency ? Number(flags.concurrency) : 2;
  const runner = startJobRunner({ concurrency, periodic: PERIODIC_TASKS });
  // SIGTERM/SIGINT: stop claiming, let running jobs finish within SHUTDOWN_GRACE_SECONDS, release the rest, exit.
  installGracefulShutdown({ name: "worker", graceMs: env().SHUTDOWN_GRACE_SECONDS * 1000, stopRunner: (graceMs) => runner.stop({ graceMs }) });
  console.log(`Worker ${runner.workerId} running with ${concurrency} slot(s). Ctrl-C to stop.`);
  // The shutdown handler ends the process.
  await new Promise<never>(() => undefined);
}
