import { prisma } from "@/lib/db/client";

export const LEASE_MS = 60_000;

/**
 * Claims the next runnable job with a lease: a pending job whose backoff has passed, or a
 * processing job whose lease ran out (its worker crashed). The claim is a compare-and-set on
 * the row, so two workers — threads, processes or instances — can never both take one job.
 */
export async function claimNextJob(workerId: string, now = new Date()) {
  const runnable = {
    OR: [
      { status: "PENDING" as const, runAfter: { lte: now } },
      { status: "PROCESSING" as const, leaseExpiresAt: { lt: now } },
    ],
  };
  const candidates = await prisma.exportJob.findMany({ where: runnable, orderBy: { createdAt: "asc" }, take: 5, select: { id: true, status: true, leaseExpiresAt: true } });

  for (const candidate of candidates) {
    // The where repeats the exact state we saw: if anyone changed it since, we claim nothing.
    const claimed = await prisma.exportJob.updateMany({
      where: { id: candidate.id, status: candidate.status, leaseExpiresAt: candidate.leaseExpiresAt, ...runnable },
      data: {
        status: "PROCESSING",
        leaseOwner: workerId,
        leaseExpiresAt: new Date(now.getTime() + LEASE_MS),
        attempts: { increment: 1 },
        startedAt: now,
      },
    });
    if (claimed.count === 1) return prisma.exportJob.findUniqueOrThrow({ where: { id: candidate.id } });
  }

  return null;
}
