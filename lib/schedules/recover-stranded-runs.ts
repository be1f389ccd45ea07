// Runs a restart left behind. A run is delivered by a hook after its job commits, so a process
// that stops between the two leaves the run "queued" beside a finished job, and one that stops
// mid-delivery leaves it "running"; neither would ever move again, and the report would be lost
// without anyone being told. Each scheduler tick takes such runs over and finishes them: each
// exactly once, because deliverScheduledRun only goes on after its compare-and-set on the run's
// status (and, for an interrupted delivery, on the claimedAt that delivery stamped).
import { prisma } from "@/lib/db/client";
import { logger } from "@/lib/logger";
import { DELIVERY_LEASE_MS, deliverScheduledRun } from "@/lib/schedules/deliver-scheduled-job";

const FINISHED_JOB_STATUSES = ["COMPLETED", "FAILED", "CANCELLED", "EXPIRED"] as const;

/** The hook delivers as soon as the job commits; the tick steps in only for a job finished longer ago than this. */
const HOOK_GRACE_MS = 5 * 60_000;

/** Per tick: deliveries run one after another inside the tick, so a backlog is worked off over several. */
const BATCH = 20;

export type TRecoveredRun = { runId: string; scheduleId: string; was: "queued" | "running" };

function claimsOf(deliveryLog: unknown) {
  const claims = (deliveryLog as { claims?: unknown } | null)?.claims;

  return typeof claims === "number" && Number.isInteger(claims) && claims > 0 ? claims : 1;
}

/** Finishes stranded runs; returns the ones this call took (another tick may take the rest). */
export async function recoverStrandedRuns(now: number = Date.now()): Promise<TRecoveredRun[]> {
  const [undelivered, interrupted] = await Promise.all([
    prisma.scheduleRun.findMany({
      where: { status: "queued", job: { is: { status: { in: [...FINISHED_JOB_STATUSES] }, updatedAt: { lt: new Date(now - HOOK_GRACE_MS) } } } },
      select: { id: true, scheduleId: true },
      orderBy: { claimedAt: "asc" },
      take: BATCH,
    }),
    prisma.scheduleRun.findMany({
      where: { status: "running", claimedAt: { lt: new Date(now - DELIVERY_LEASE_MS) } },
      select: { id: true, scheduleId: true, claimedAt: true, deliveryLog: true },
      orderBy: { claimedAt: "asc" },
      take: BATCH,
    }),
  ]);

  const recovered: TRecoveredRun[] = [];
  for (const run of undelivered) {
    if (await takeOver(run.id, () => deliverScheduledRun(run.id, { status: "queued" }))) recovered.push({ runId: run.id, scheduleId: run.scheduleId, was: "queued" });
  }
  for (const run of interrupted) {
    const claim = { status: "running" as const, claimedAt: run.claimedAt, claims: claimsOf(run.deliveryLog) };
    if (await takeOver(run.id, () => deliverScheduledRun(run.id, claim))) recovered.push({ runId: run.id, scheduleId: run.scheduleId, was: "running" });
  }
  if (recovered.length) logger.info("scheduler: finished runs a restart left behind", { count: recovered.length });

  return recovered;
}

async function takeOver(runId: string, deliver: () => Promise<boolean>) {
  try {
    return await deliver();
  } catch (error) {
    // One broken run must not stop the others; its lease runs out and a later tick tries again.
    logger.error("scheduler: recovering a stranded run failed", { runId, error });
    return false;
  }
}
