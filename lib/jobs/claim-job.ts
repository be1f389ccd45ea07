import { isPostgres, prisma } from "@/lib/db/client";

export const LEASE_MS = 60_000;

/**
 * Claims the next runnable job with a lease: a pending job whose backoff has passed, or a
 * processing job whose lease ran out (its worker crashed). Two workers — threads, processes or
 * instances — can never both take one job:
 * - PostgreSQL: one statement that locks the oldest runnable row `FOR UPDATE SKIP LOCKED`, so
 *   concurrent claimers each take a different row at once instead of queueing on the same one;
 * - SQLite (one file, one writer): a compare-and-set on the row.
 */
export async function claimNextJob(workerId: string, now = new Date(), options: { kinds?: readonly string[] } = {}) {
  if (isPostgres()) return claimWithRowLock(workerId, now, options.kinds ?? null);

  const runnable = {
    ...(options.kinds ? { kind: { in: [...options.kinds] } } : {}),
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

async function claimWithRowLock(workerId: string, now: Date, kinds: readonly string[] | null) {
  // Prisma keeps DateTime as UTC in `timestamp(3)` columns: the instants are passed as ISO text
  // and converted in SQL, so the session's TimeZone setting cannot shift them.
  const at = now.toISOString();
  const until = new Date(now.getTime() + LEASE_MS).toISOString();
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    UPDATE "ExportJob"
       SET "status" = 'PROCESSING',
           "leaseOwner" = ${workerId},
           "leaseExpiresAt" = (${until}::timestamptz AT TIME ZONE 'UTC'),
           "attempts" = "attempts" + 1,
           "startedAt" = (${at}::timestamptz AT TIME ZONE 'UTC'),
           "updatedAt" = (${at}::timestamptz AT TIME ZONE 'UTC')
     WHERE "id" = (
       SELECT "id" FROM "ExportJob"
        WHERE (("status" = 'PENDING' AND "runAfter" <= (${at}::timestamptz AT TIME ZONE 'UTC'))
           OR ("status" = 'PROCESSING' AND "leaseExpiresAt" < (${at}::timestamptz AT TIME ZONE 'UTC')))
          AND (${kinds === null} OR "kind" = ANY(${kinds ?? []}::text[]))
        ORDER BY "createdAt" ASC
        LIMIT 1
        FOR UPDATE SKIP LOCKED
     )
     RETURNING "id"`;
  const claimed = rows[0];

  return claimed ? prisma.exportJob.findUniqueOrThrow({ where: { id: claimed.id } }) : null;
}
