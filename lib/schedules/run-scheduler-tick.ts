// The scheduler tick: finds due schedules and starts each due run exactly once, however many
// app instances and workers tick at the same moment.
//
// Exactly once comes from two guards in one transaction: a compare-and-set on nextRunAt
// (only the tick that still sees the old value moves it on) and the unique
// (scheduleId, scheduledFor) row of ScheduleRun (a second claim of the same slot cannot commit).
// On PostgreSQL a competing UPDATE waits for the row lock and then re-checks its WHERE, so the
// loser sees count 0; on SQLite writes are serialized by the database lock.
//
// Each tick also fails runs a stopped process claimed but never queued a job for, and queues the
// delivery of runs whose export ended without one (recover-stranded-runs.ts). Deliveries
// themselves are jobs (kind "delivery"): the job system recovers an interrupted one.
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { loadActiveActor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { logger } from "@/lib/logger";
import { pauseForRevokedAccess, recordRunFailed } from "@/lib/schedules/record-run-outcome";
import { recoverStrandedRuns, type TRecoveredRun } from "@/lib/schedules/recover-stranded-runs";
import { decideScheduleRun } from "@/lib/schedules/schedule-access";
import { ruleOfSchedule } from "@/lib/schedules/schedule-rule-of";
import { startScheduledExport } from "@/lib/schedules/start-scheduled-export";
import { coalesceDueSlots } from "@/lib/schedules/time";

export type TTickRun = {
  scheduleId: string;
  runId: string;
  scheduledFor: string;
  foldedCount: number;
  status: "queued" | "failed" | "skipped";
  jobId: string | null;
  error?: string;
};

export type TTickResult = { now: string; due: number; runs: TTickRun[]; recovered: TRecoveredRun[] };

const SCHEDULER_META: TRequestMeta = { ipAddress: null, userAgent: "careexport-scheduler", via: "scheduler" };
const DEFAULT_BATCH = 200;

type TDueSchedule = Awaited<ReturnType<typeof findDueSchedules>>[number];

function findDueSchedules(now: Date, limit: number) {
  return prisma.scheduledReport.findMany({ where: { isActive: true, nextRunAt: { lte: now } }, orderBy: { nextRunAt: "asc" }, take: limit });
}

/** A claimed run whose job was never queued (the process died in between) is failed visibly after this long. */
const INTERRUPTED_AFTER_MS = 10 * 60_000;

async function failInterruptedRuns() {
  const stale = await prisma.scheduleRun.findMany({ where: { status: "queued", jobId: null, claimedAt: { lt: new Date(Date.now() - INTERRUPTED_AFTER_MS) } }, take: 50 });
  for (const run of stale) {
    // Compare-and-set, so two ticks never both fail (and count) the same run.
    // claimedAt is stamped too: a "running" run is a delivery's, and its lease runs from claimedAt.
    const taken = await prisma.scheduleRun.updateMany({ where: { id: run.id, status: "queued", jobId: null }, data: { status: "running", claimedAt: new Date() } });
    if (taken.count) await recordRunFailed(run.id, run.scheduleId, "The run was interrupted before its export was queued (the scheduler stopped). The next slot runs as usual.");
  }
}

export async function runSchedulerTick(now: Date = new Date(), options: { limit?: number; meta?: TRequestMeta } = {}): Promise<TTickResult> {
  await failInterruptedRuns();
  const due = await findDueSchedules(now, options.limit ?? DEFAULT_BATCH);
  const runs: TTickRun[] = [];
  for (const schedule of due) {
    try {
      const run = await runDueSchedule(schedule, now, options.meta ?? SCHEDULER_META);
      if (run) runs.push(run);
    } catch (error) {
      // One broken schedule must not stop the others.
      logger.error("scheduler: schedule run failed to start", { scheduleId: schedule.id, error });
    }
  }

  const recovered = await recoverStrandedRuns().catch((error: unknown) => {
    logger.error("scheduler: recovering stranded runs failed", { error });
    return [];
  });

  return { now: now.toISOString(), due: due.length, runs, recovered };
}

function isUniqueViolation(error: unknown) {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

/** Claims the schedule's latest due slot (folding earlier missed ones into it); null when another tick got it. */
async function claimDueRun(schedule: TDueSchedule, now: Date) {
  const rule = ruleOfSchedule(schedule);
  const dueSince = schedule.nextRunAt!;
  const coalesced = coalesceDueSlots(rule, { dueSince, now });
  if (!coalesced.scheduledFor) {
    await prisma.scheduledReport.updateMany({ where: { id: schedule.id, nextRunAt: dueSince }, data: { nextRunAt: coalesced.nextRunAt } });
    return null;
  }
  const scheduledFor = coalesced.scheduledFor;

  try {
    const run = await prisma.$transaction(async (tx) => {
      const claimed = await tx.scheduledReport.updateMany({
        where: { id: schedule.id, isActive: true, nextRunAt: dueSince },
        data: { nextRunAt: coalesced.nextRunAt, lastRunAt: scheduledFor, lastStatus: "queued" },
      });
      if (claimed.count === 0) return null;

      return tx.scheduleRun.create({
        data: {
          scheduleId: schedule.id,
          scheduledFor,
          status: "queued",
          missedRuns: coalesced.foldedCount,
          note: coalesced.foldedCount > 0 ? `${coalesced.foldedCount} missed run${coalesced.foldedCount === 1 ? "" : "s"} folded into this one (ran once for the latest slot)` : null,
        },
      });
    });

    return run ? { run, rule, foldedCount: coalesced.foldedCount } : null;
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

async function runDueSchedule(schedule: TDueSchedule, now: Date, meta: TRequestMeta): Promise<TTickRun | null> {
  const claim = await claimDueRun(schedule, now);
  if (!claim) return null;
  const { run, rule, foldedCount } = claim;
  const base = { scheduleId: schedule.id, runId: run.id, scheduledFor: run.scheduledFor.toISOString(), foldedCount };
  const auditBase = { scheduleId: schedule.id, patientId: schedule.patientId, templateId: schedule.templateId, meta };
  const runFacts = { runId: run.id, scheduledFor: base.scheduledFor, foldedCount, exportType: schedule.exportType };

  // The owner's access is asked again at every run: a disabled account or a revoked
  // assignment stops the schedule, and the schedule says why.
  const owner = await loadActiveActor(schedule.userId);
  const decision = owner ? await decideScheduleRun(prisma, owner, schedule) : ({ allowed: false, reason: "the owner's account is disabled or removed" } as const);
  if (!owner || !decision.allowed) {
    const reason = `Paused: the owner may no longer run this export (${decision.allowed ? "" : decision.reason}).`;
    await prisma.scheduleRun.update({ where: { id: run.id }, data: { status: "skipped", error: reason } });
    await pauseForRevokedAccess(schedule.id, reason);
    await recordAudit(null, { ...auditBase, action: "schedule_run", outcome: "denied", userId: schedule.userId, metadata: { ...runFacts, status: "skipped", reason } });

    return { ...base, status: "skipped", jobId: null, error: reason };
  }

  try {
    const started = await startScheduledExport(owner, schedule, run.scheduledFor, rule.timezone, meta);
    await prisma.scheduleRun.update({ where: { id: run.id }, data: { jobId: started.job_id } });
    await recordAudit(null, { ...auditBase, action: "schedule_run", userId: owner.id, exportJobId: started.job_id, metadata: { ...runFacts, status: "queued" } });

    return { ...base, status: "queued", jobId: started.job_id };
  } catch (error) {
    const message = error instanceof Error && error.name === "AppError" ? error.message : "The export could not be started because of an internal error.";
    if (!(error instanceof Error && error.name === "AppError")) logger.error("scheduler: starting the export failed", { scheduleId: schedule.id, error });
    await recordRunFailed(run.id, schedule.id, message);
    await recordAudit(null, { ...auditBase, action: "schedule_run", outcome: "failure", userId: owner.id, metadata: { ...runFacts, status: "failed", error: message } });

    return { ...base, status: "failed", jobId: null, error: message };
  }
}
