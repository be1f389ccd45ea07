// A scheduled run's export job has ended: queue the run's delivery job, which delivers the file or
// records why there is none. Called inside the transaction that ends the export job (a job-finished
// hook), and by the scheduler tick for a run whose job ended some other way (expired, cancelled).
// At most one delivery job per run: its unique key is the run.
import type { TTx } from "@/lib/db/client";
import { DELIVERY_JOB_KIND } from "@/lib/jobs/definitions/delivery";
import { enqueueJob } from "@/lib/jobs/enqueue-job";

export const deliveryJobKey = (runId: string) => `delivery:${runId}`;

/** The run a delivery job's key names (for a job whose payload cannot be read). */
export function runIdOfDeliveryKey(uniqueKey: string | null) {
  return uniqueKey?.startsWith("delivery:") ? uniqueKey.slice("delivery:".length) : null;
}

/** Queues the delivery of the run whose export job is `job`; null when it is no run's job, the run has an outcome, or its delivery is queued already. */
export async function enqueueRunDelivery(tx: TTx, job: { id: string; kind: string }) {
  if (job.kind === DELIVERY_JOB_KIND) return null;
  const run = await tx.scheduleRun.findUnique({ where: { jobId: job.id }, select: { id: true, status: true, schedule: { select: { id: true, userId: true, deliveryMethod: true } } } });
  // "running" without a delivery job: a delivery the pre-job code was making when the server was upgraded.
  if (!run || !["queued", "running"].includes(run.status)) return null;
  const uniqueKey = deliveryJobKey(run.id);
  // Checked first, not left to the unique index: on PostgreSQL a violation would abort the
  // caller's transaction, which is the one completing the export.
  if (await tx.exportJob.findUnique({ where: { uniqueKey }, select: { id: true } })) return null;

  return enqueueJob(tx, {
    kind: DELIVERY_JOB_KIND,
    payload: { runId: run.id },
    exportType: DELIVERY_JOB_KIND,
    format: run.schedule.deliveryMethod,
    userId: run.schedule.userId,
    scheduledReportId: run.schedule.id,
    uniqueKey,
    meta: { ipAddress: null, userAgent: "careexport-scheduler", via: "scheduler" },
  });
}
