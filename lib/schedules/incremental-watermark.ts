// Incremental dataset schedules (dataset_export.since = "last_successful_run"): each run exports
// only rows created or changed since the schedule's watermark. The watermark is the start of the
// export job of the schedule's latest *delivered* run, so it moves only when a delivery succeeds:
// a failed or undelivered run leaves it where it was, and the next run covers that window again.
// The first run (nothing delivered yet) is full. The job reads rows changed at or after the
// watermark; its own start is at or before the moment it reads, so consecutive windows overlap by
// the seconds between a job's start and its read (a row changed then may come twice), never leave a gap.
import type { TDb } from "@/lib/db/client";

export const INCREMENTAL_SINCE = "last_successful_run";

/** Whether a dataset schedule asks for incremental extracts. */
export function isIncrementalSchedule(datasetExport: unknown) {
  return (datasetExport as { since?: unknown } | null)?.since === INCREMENTAL_SINCE;
}

/** The schedule's watermark: when the export of its latest delivered run started (null: no delivered run yet, so the run is full). */
export async function scheduleWatermark(db: TDb, scheduleId: string): Promise<Date | null> {
  const delivered = await db.scheduleRun.findFirst({
    where: { scheduleId, status: "delivered", job: { startedAt: { not: null } } },
    orderBy: [{ job: { startedAt: "desc" } }],
    select: { job: { select: { startedAt: true } } },
  });

  return delivered?.job?.startedAt ?? null;
}
