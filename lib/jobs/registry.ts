// Every job kind the one job system runs. A new kind is one file in lib/jobs/definitions and one
// line here; enqueueJob is typed by this table, so the payload type follows from the kind.
// Definitions hold schemas only: each handler is imported when a job of its kind runs, so the
// web bundle and the CLI load only what they run.
import type { z } from "zod";

import type { TJobDefinition } from "@/lib/jobs/define-job";
import { bulkJob } from "@/lib/jobs/definitions/bulk";
import { datasetJob } from "@/lib/jobs/definitions/dataset";
import { deliveryJob } from "@/lib/jobs/definitions/delivery";
import { fhirSyncJob } from "@/lib/jobs/definitions/fhir-sync";
import { reportJob } from "@/lib/jobs/definitions/report";
import { reportBatchJob } from "@/lib/jobs/definitions/report-batch";

export const JOB_DEFINITIONS = {
  report: reportJob,
  report_batch: reportBatchJob,
  dataset: datasetJob,
  bulk: bulkJob,
  delivery: deliveryJob,
  fhir_sync: fhirSyncJob,
} as const;

export type TJobKind = keyof typeof JOB_DEFINITIONS;

/** The payload a job of `K` is queued with (its schema's input: defaults may be left out). */
export type TJobPayloadInput<K extends TJobKind> = z.input<(typeof JOB_DEFINITIONS)[K]["payload"]>;

/** The payload a handler of `K` receives. */
export type TJobPayload<K extends TJobKind> = z.output<(typeof JOB_DEFINITIONS)[K]["payload"]>;

export function jobDefinitionOf(kind: string): TJobDefinition | null {
  // Widened for the runner, which reads a kind from a stored row; typed callers use JOB_DEFINITIONS.
  return Object.hasOwn(JOB_DEFINITIONS, kind) ? (JOB_DEFINITIONS[kind as TJobKind] as unknown as TJobDefinition) : null;
}

/** The kinds whose jobs are exports with a file (listed to users, downloadable); the rest are tasks such as deliveries. */
export const EXPORT_JOB_KINDS = (Object.keys(JOB_DEFINITIONS) as TJobKind[]).filter((kind) => JOB_DEFINITIONS[kind].produces === "file");
