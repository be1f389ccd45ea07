// The embedded job runner: polls the jobs table (and wakes when a job is queued in-process),
// runs jobs one at a time per slot, sweeps expired files, and runs registered periodic tasks
// such as the scheduler tick. Started by instrumentation.ts (JOB_RUNNER=inline) or
// `npm run worker`. Several runners on one PostgreSQL share the work safely: claims are
// compare-and-set.
import { hostname } from "node:os";

import { claimNextJob } from "@/lib/jobs/claim-job";
import { jobSignals } from "@/lib/jobs/enqueue-job";
import { releaseLeases } from "@/lib/jobs/release-leases";
import { runClaimedJob } from "@/lib/jobs/run-job";
import { sweepExpiredFiles } from "@/lib/jobs/sweep-expired";
import { sweepFinishedDeliveries } from "@/lib/jobs/sweep-finished-deliveries";
import { sweepOrphanFiles } from "@/lib/jobs/sweep-orphan-files";
import { logger } from "@/lib/logger";

export type TPeriodicTask = { name: string; everyMs: number; run: () => Promise<unknown> };

export type TRunnerOptions = { concurrency?: number; pollMs?: number; periodic?: TPeriodicTask[] };

export type TStopOptions = {
  /**
   * How long running jobs may take to finish; after that their leases are released for another
   * worker. Unset: wait for them however long they take.
   */
  graceMs?: number;
};

export type TJobRunner = { workerId: string; stop: (options?: TStopOptions) => Promise<{ released: number }> };

const state = globalThis as unknown as { careexportRunner?: TJobRunner };

const MAX_POLL_BACKOFF_MS = 60_000;

/**
 * After `failures` failed polls in a row (the database down or not migrated): wait longer, up to
 * a minute, and log only the 1st, 2nd, 4th, 8th... failure. Polling every second and logging
 * each failure wrote two lines a second per instance for as long as an outage lasted.
 */
export function pollBackoff(failures: number, pollMs: number): { delayMs: number; shouldLog: boolean } {
  if (failures <= 0) return { delayMs: pollMs, shouldLog: false };

  return { delayMs: Math.min(MAX_POLL_BACKOFF_MS, pollMs * 2 ** Math.min(failures, 16)), shouldLog: (failures & (failures - 1)) === 0 };
}

export function startJobRunner({ concurrency = 2, pollMs = 1_000, periodic = [] }: TRunnerOptions = {}) {
  if (state.careexportRunner) return state.careexportRunner;
  const workerId = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  let isStopping = false;
  // Every idle slot's wake-up: a queued job or a stop must reach all of them, not the last to sleep.
  const sleepers = new Set<() => void>();
  const wakeAll = () => [...sleepers].forEach((wake) => wake());
  const onQueued = wakeAll;
  jobSignals.on("queued", onQueued);

  async function slot() {
    let failures = 0;
    let lastError: unknown = null;
    while (!isStopping) {
      try {
        const job = await claimNextJob(workerId);
        failures = 0;
        if (job) {
          await runClaimedJob(job, workerId);
          continue;
        }
      } catch (error) {
        failures += 1;
        lastError = error;
      }
      const { delayMs, shouldLog } = pollBackoff(failures, pollMs);
      if (shouldLog) logger.error("job runner loop error", { error: lastError, consecutiveFailures: failures });
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, delayMs);
        sleepers.add(wake);
      });
    }
  }

  const tasks = [
    { name: "sweep-expired-files", everyMs: 10 * 60_000, run: () => sweepExpiredFiles() },
    { name: "sweep-orphan-files", everyMs: 6 * 3_600_000, run: () => sweepOrphanFiles() },
    { name: "sweep-finished-deliveries", everyMs: 6 * 3_600_000, run: () => sweepFinishedDeliveries() },
    ...periodic,
  ];
  const timers = tasks.map((task) => {
    let isRunning = false;
    const tick = async () => {
      if (isRunning || isStopping) return;
      isRunning = true;
      try {
        await task.run();
      } catch (error) {
        logger.error(`periodic task ${task.name} failed`, { error });
      } finally {
        isRunning = false;
      }
    };
    setTimeout(tick, 2_000).unref?.();
    const timer = setInterval(tick, task.everyMs);
    timer.unref?.();

    return timer;
  });

  const slots = Array.from({ length: concurrency }, () => slot());
  logger.info("job runner started", { workerId, concurrency });

  const runner: TJobRunner = {
    workerId,
    // Stops claiming at once; running jobs get `graceMs` to finish, then their leases are released.
    async stop({ graceMs }: TStopOptions = {}) {
      isStopping = true;
      wakeAll();
      timers.forEach(clearInterval);
      jobSignals.off("queued", onQueued);
      const finished = Promise.allSettled(slots).then(() => true);
      let released = 0;
      if (graceMs === undefined) await finished;
      else {
        let timer: NodeJS.Timeout | undefined;
        const inTime = await Promise.race([finished, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]);
        clearTimeout(timer);
        if (!inTime) {
          released = await releaseLeases(workerId);
          logger.warn("job runner stopped before its jobs finished: leases released for other workers", { workerId, released });
        }
      }
      state.careexportRunner = undefined;

      return { released };
    },
  };
  state.careexportRunner = runner;

  return runner;
}

/** Runs queued jobs (of `kinds`, when given) until none is runnable: for tests and the CLI. */
export async function drainJobs(workerId = `drain:${process.pid}`, options: { kinds?: readonly string[] } = {}) {
  const outcomes: string[] = [];
  for (;;) {
    const job = await claimNextJob(workerId, new Date(), options);
    if (!job) return outcomes;
    outcomes.push(await runClaimedJob(job, workerId));
  }
}
