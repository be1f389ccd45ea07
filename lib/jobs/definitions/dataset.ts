// A dataset export: the chosen datasets of a tier as CSV files in one ZIP, de-identified unless
// the tier is the identified one, release-scanned before it is offered.
import { ZDatasetJobParameters } from "@/lib/datasets/dataset-export-parameters";
import { defineJob, exponentialBackoff } from "@/lib/jobs/define-job";

export const datasetJob = defineJob({
  kind: "dataset",
  version: 1,
  payload: ZDatasetJobParameters,
  produces: "file",
  retry: { maxAttempts: 3, backoffMs: exponentialBackoff(5_000) },
  loadHandler: async () => (await import("@/lib/datasets/dataset-job.handler")).handleDatasetJob,
});
