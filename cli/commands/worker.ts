import { startupBaseUrlProblem } from "@/lib/app-url/app-base-url";
import { PERIODIC_TASKS } from "@/lib/jobs/periodic-tasks";
import { startJobRunner } from "@/lib/jobs/runner";

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
  console.log(`Worker running with ${concurrency} slot(s). Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    const stop = () => runner.stop().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  console.log("Worker stopped.");
}
