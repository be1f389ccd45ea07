// A sync from a registered source FHIR server: its Bulk $export since the last watermark (or paged
// searches by _lastUpdated), imported all or nothing; the product is the run's JSON summary.
import { ZFhirSyncParameters } from "@/lib/fhir/sources/fhir-sync-types";
import { defineJob, exponentialBackoff } from "@/lib/jobs/define-job";

export const fhirSyncJob = defineJob({
  kind: "fhir_sync",
  version: 1,
  payload: ZFhirSyncParameters,
  produces: "file",
  // An unreachable source or a 5xx is worth a later try; a refused credential fails at once (PermanentJobError).
  retry: { maxAttempts: 3, backoffMs: exponentialBackoff(30_000) },
  loadHandler: async () => (await import("@/lib/fhir/sources/fhir-sync-job.handler")).handleFhirSyncJob,
});
