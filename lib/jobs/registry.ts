// Every job kind and its handler. Handlers are imported lazily so that the web bundle and the
// CLI load only what they run.
import type { TJobHandler, TJobKind } from "@/lib/jobs/job-types";

const HANDLERS: Partial<Record<TJobKind, () => Promise<TJobHandler>>> = {
  report: async () => (await import("@/lib/reports/report-job.handler")).handleReportJob,
  dataset: async () => (await import("@/lib/datasets/dataset-job.handler")).handleDatasetJob,
  report_batch: async () => (await import("@/lib/reports/batch-report-job.handler")).handleBatchReportJob,
  bulk: async () => (await import("@/lib/fhir/bulk/bulk-export-job.handler")).handleBulkExportJob,
  fhir_sync: async () => (await import("@/lib/fhir/sources/fhir-sync-job.handler")).handleFhirSyncJob,
};

export async function handlerFor(kind: string): Promise<TJobHandler | null> {
  const load = HANDLERS[kind as TJobKind];

  return load ? load() : null;
}
