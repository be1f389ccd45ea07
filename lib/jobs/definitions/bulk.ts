// A FHIR Bulk Data $export: NDJSON files per resource type and a manifest.
import { defineJob, exponentialBackoff } from "@/lib/jobs/define-job";
import { BULK_JOB_KIND, ZBulkJobParameters } from "@/lib/fhir/bulk/bulk-types";

export const bulkJob = defineJob({
  kind: BULK_JOB_KIND,
  version: 1,
  payload: ZBulkJobParameters,
  produces: "file",
  // Two attempts: a Bulk client polls, and a long export tried a third time mostly keeps it waiting.
  retry: { maxAttempts: 2, backoffMs: exponentialBackoff(5_000) },
  loadHandler: async () => (await import("@/lib/fhir/bulk/bulk-export-job.handler")).handleBulkExportJob,
});
