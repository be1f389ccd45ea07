// Finished delivery jobs are bookkeeping: a scheduled run's outcome, its delivery log and any
// error are on the run itself (ScheduleRun), and the audit trail names the run's export job, never
// the delivery job. Without a sweep the jobs table gains one row per scheduled run for ever.
import { prisma } from "@/lib/db/client";
import { DELIVERY_JOB_KIND } from "@/lib/jobs/definitions/delivery";

/** How long a finished delivery job's row (its attempts, lease history) is kept for diagnosis. */
export const FINISHED_DELIVERY_RETENTION_DAYS = 30;

/** Deletes delivery jobs that ended (delivered, given up or cancelled) more than the retention ago; returns how many. */
export async function sweepFinishedDeliveries(now = new Date()) {
  const cutoff = new Date(now.getTime() - FINISHED_DELIVERY_RETENTION_DAYS * 86_400_000);
  const { count } = await prisma.exportJob.deleteMany({
    where: { kind: DELIVERY_JOB_KIND, status: { in: ["COMPLETED", "FAILED", "CANCELLED"] }, updatedAt: { lt: cutoff } },
  });

  return count;
}
