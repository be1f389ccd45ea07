import { prisma } from "@/lib/db/client";

/**
 * Hands back the jobs a stopping worker still holds: pending again, runnable at once, and the
 * interrupted attempt not counted (a shutdown is not the job's failure). Another worker claims
 * them without waiting for the lease to run out. The stopping worker's own later writes are
 * refused (they require its lease), so a job it was still running cannot complete twice.
 */
export async function releaseLeases(workerId: string) {
  const released = await prisma.exportJob.updateMany({
    where: { leaseOwner: workerId, status: "PROCESSING" },
    data: {
      status: "PENDING",
      runAfter: new Date(),
      leaseOwner: null,
      leaseExpiresAt: null,
      attempts: { decrement: 1 },
      progressPercent: 0,
      progress: { percent: 0, stage: "queued" },
    },
  });

  return released.count;
}
