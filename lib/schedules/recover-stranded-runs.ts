// Runs left waiting for a delivery that was never queued. A run's delivery job is queued in the
// transaction that ends its export job, so a stopped worker cannot strand one; but an export job
// can also end outside the runner (its file expired, it was cancelled) or have ended before
// deliveries were jobs (a run left "queued", or "running" by a delivery the upgrade interrupted). Each scheduler tick queues the delivery of such runs — exactly once per
// run, by the delivery job's unique key — and the delivery job records the outcome (usually the
// reason there is no file). Interrupted deliveries need nothing here: they are jobs, and the job
// system's leases and retries take them over.
import { prisma } from "@/lib/db/client";
import { notifyJobQueued } from "@/lib/jobs/enqueue-job";
import { logger } from "@/lib/logger";
import { deliveryJobKey, enqueueRunDelivery } from "@/lib/schedules/enqueue-run-delivery";

const FINISHED_JOB_STATUSES = ["COMPLETED", "FAILED", "CANCELLED", "EXPIRED"] as const;

/** Per tick: a backlog is worked off over several. */
const BATCH = 50;

export type TRecoveredRun = { runId: string; scheduleId: string; deliveryJobId: string };

function isUniqueViolation(error: unknown) {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

/** Queues the missing deliveries; returns the runs this call queued one for (another tick may take the rest). */
export async function recoverStrandedRuns(): Promise<TRecoveredRun[]> {
  const waiting = await prisma.scheduleRun.findMany({
    where: { status: { in: ["queued", "running"] }, job: { is: { status: { in: [...FINISHED_JOB_STATUSES] } } } },
    select: { id: true, scheduleId: true, job: { select: { id: true, kind: true } } },
    orderBy: { claimedAt: "asc" },
    take: BATCH,
  });
  const queued = new Set((await prisma.exportJob.findMany({ where: { uniqueKey: { in: waiting.map((run) => deliveryJobKey(run.id)) } }, select: { uniqueKey: true } })).map((job) => job.uniqueKey));

  const recovered: TRecoveredRun[] = [];
  for (const run of waiting) {
    if (!run.job || queued.has(deliveryJobKey(run.id))) continue;
    try {
      const delivery = await prisma.$transaction((tx) => enqueueRunDelivery(tx, run.job!));
      if (delivery) recovered.push({ runId: run.id, scheduleId: run.scheduleId, deliveryJobId: delivery.id });
    } catch (error) {
      // Another tick queued it first: the unique key held.
      if (!isUniqueViolation(error)) logger.error("scheduler: queueing a stranded run's delivery failed", { runId: run.id, error });
    }
  }
  if (recovered.length) {
    logger.info("scheduler: queued deliveries for runs whose export ended without one", { count: recovered.length });
    notifyJobQueued();
  }

  return recovered;
}
