// The end of a scheduled run, good or bad, and the rule that a schedule whose runs fail three
// times in a row pauses itself (with the reason its owner and the admins see) rather than
// failing forever.
import { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "@/lib/audit/record";
import { prisma, type TTx } from "@/lib/db/client";

export const MAX_CONSECUTIVE_FAILURES = 3;

const SCHEDULER_LABEL = "scheduler";

/** A run still open: an outcome is written once, and never over one already recorded. */
const OPEN_RUN_STATUSES = ["queued", "running"];

/** undefined keeps the stored log; null clears it (the delivery's "delivering" mark when nothing was delivered). */
function deliveryLogData(deliveryLog: unknown) {
  if (deliveryLog === null) return Prisma.DbNull;

  return (deliveryLog ?? undefined) as never;
}

/** In the caller's transaction when given (a delivery job writes its outcome only while it holds its lease), else in a new one. */
function inTransaction<T>(tx: TTx | undefined, work: (tx: TTx) => Promise<T>) {
  return tx ? work(tx) : prisma.$transaction(work);
}

/** Marks the run delivered; false when it already had an outcome (nothing written). */
export async function recordRunSucceeded(runId: string, scheduleId: string, details: { deliveryLog?: unknown; tx?: TTx } = {}) {
  return inTransaction(details.tx, async (tx) => {
    const updated = await tx.scheduleRun.updateMany({ where: { id: runId, status: { in: OPEN_RUN_STATUSES } }, data: { status: "delivered", deliveredAt: new Date(), error: null, deliveryLog: deliveryLogData(details.deliveryLog) } });
    if (updated.count === 0) return false;
    await tx.scheduledReport.update({ where: { id: scheduleId }, data: { lastStatus: "delivered", consecutiveFailures: 0 } });

    return true;
  });
}

/** Marks the run failed (unless it already had an outcome); returns true when this failure paused the schedule. */
export async function recordRunFailed(runId: string, scheduleId: string, error: string, details: { status?: "failed" | "skipped"; deliveryLog?: unknown; tx?: TTx } = {}) {
  return inTransaction(details.tx, async (tx) => {
    const updated = await tx.scheduleRun.updateMany({
      where: { id: runId, status: { in: OPEN_RUN_STATUSES } },
      data: { status: details.status ?? "failed", error: error.slice(0, 1000), deliveryLog: deliveryLogData(details.deliveryLog) },
    });
    if (updated.count === 0) return false;
    const schedule = await tx.scheduledReport.update({
      where: { id: scheduleId },
      data: { lastStatus: details.status ?? "failed", consecutiveFailures: { increment: 1 } },
      select: { consecutiveFailures: true, isActive: true, userId: true, patientId: true },
    });
    if (!schedule.isActive || schedule.consecutiveFailures < MAX_CONSECUTIVE_FAILURES) return false;

    const reason = `Paused after ${schedule.consecutiveFailures} failed runs in a row. Last error: ${error}`.slice(0, 1000);
    await tx.scheduledReport.update({ where: { id: scheduleId }, data: { isActive: false, pausedReason: reason } });
    await recordAudit(tx, {
      action: "schedule_updated",
      actorLabel: SCHEDULER_LABEL,
      scheduleId,
      patientId: schedule.patientId,
      metadata: { paused: true, reason: "consecutive_failures", consecutiveFailures: schedule.consecutiveFailures, ownerId: schedule.userId },
      meta: { via: "scheduler" },
    });

    return true;
  });
}

/** Pauses a schedule whose owner may no longer run it (disabled account, revoked access). */
export async function pauseForRevokedAccess(scheduleId: string, reason: string) {
  await prisma.$transaction(async (tx) => {
    const schedule = await tx.scheduledReport.update({
      where: { id: scheduleId },
      data: { isActive: false, pausedReason: reason.slice(0, 1000), lastStatus: "skipped" },
      select: { userId: true, patientId: true },
    });
    await recordAudit(tx, {
      action: "schedule_updated",
      actorLabel: SCHEDULER_LABEL,
      scheduleId,
      patientId: schedule.patientId,
      metadata: { paused: true, reason: "access_revoked", ownerId: schedule.userId },
      meta: { via: "scheduler" },
    });
  });
}
