import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";

import { CliUsageError, parseFlags } from "../args";

export const summary = "Run one scheduler tick (start every due scheduled run) at an instant";
export const usage = "npm run cli -- schedules:tick [--now 2026-12-01T08:00:00Z] [--drain]";

export async function run(argv: string[]) {
  const { flags } = parseFlags(argv, { now: {}, drain: { boolean: true } });
  const now = flags.now === undefined ? new Date() : new Date(String(flags.now));
  if (Number.isNaN(now.getTime())) throw new CliUsageError("--now must be an ISO date-time, e.g. 2026-12-01T08:00:00Z");

  const result = await runSchedulerTick(now, { meta: { ipAddress: null, userAgent: "careexport-cli", via: "cli" } });
  console.log(`Tick at ${result.now}: ${result.due} due, ${result.runs.length} run(s) started by this tick`);
  for (const run of result.runs) {
    const folded = run.foldedCount ? ` (${run.foldedCount} missed folded in)` : "";
    console.log(`  ${run.scheduleId}  slot ${run.scheduledFor}${folded}  ${run.status}${run.jobId ? `  job ${run.jobId}` : ""}${run.error ? `  ${run.error}` : ""}`);
  }
  if (flags.drain) {
    // Runs the queued jobs (and so their deliveries) in this process: for operators without a worker and for tests.
    const { drainJobs } = await import("@/lib/jobs/runner");
    const outcomes = await drainJobs();
    console.log(`Ran ${outcomes.length} job(s): ${outcomes.join(", ") || "none"}`);
  }

  return result.runs.some((run) => run.status === "failed") ? 1 : 0;
}
