// Modules that must act when a job ends (scheduled deliveries) register here; the runner calls
// them after the job's final state is committed. A hook failing never changes the job.
import type { TFinishedJob } from "@/lib/jobs/job-types";
import { logger } from "@/lib/logger";

const HOOKS: { name: string; load: () => Promise<(job: TFinishedJob) => Promise<void>> }[] = [
  { name: "fhir-source-sync", load: async () => (await import("@/lib/fhir/sources/record-sync-ended")).onFhirSyncJobFinished },
  { name: "scheduled-delivery", load: async () => (await import("@/lib/schedules/deliver-scheduled-job")).onScheduledJobFinished },
];

export async function runJobFinishedHooks(job: TFinishedJob) {
  for (const hook of HOOKS) {
    try {
      await (await hook.load())(job);
    } catch (error) {
      logger.error(`job-finished hook ${hook.name} failed`, { jobId: job.id, error });
    }
  }
}
