// Work that must follow a job's ending exactly once (a scheduled run's delivery) is queued here,
// inside the transaction that ends the job: the ending and the follow-up commit together or not
// at all, whichever way the worker stops. Each hook is imported when a job ends.
import type { TTx } from "@/lib/db/client";
import type { TFinishedJob } from "@/lib/jobs/job-types";

const HOOKS: { name: string; load: () => Promise<(tx: TTx, job: TFinishedJob) => Promise<unknown>> }[] = [
  { name: "fhir-source-sync", load: async () => (await import("@/lib/fhir/sources/record-sync-ended")).onFhirSyncJobFinished },
  { name: "scheduled-delivery", load: async () => (await import("@/lib/schedules/enqueue-run-delivery")).enqueueRunDelivery },
];

export async function runJobFinishedHooks(tx: TTx, job: TFinishedJob) {
  for (const hook of HOOKS) await (await hook.load())(tx, job);
}
