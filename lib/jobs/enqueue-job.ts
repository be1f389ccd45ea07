import { EventEmitter } from "node:events";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TTx } from "@/lib/db/client";
import type { TJobKind } from "@/lib/jobs/job-types";

/** Wakes the in-process worker when a job is queued, instead of waiting for its next poll. */
export const jobSignals = new EventEmitter();

export type TEnqueueJobOptions = {
  kind: TJobKind;
  exportType: string;
  format: string;
  userId: string;
  patientId?: string | null;
  templateId?: string | null;
  scheduledReportId?: string | null;
  /** The validated request as the handler will run it. Ids and options only. */
  parameters: Record<string, unknown>;
  maxAttempts?: number;
  meta?: TRequestMeta | null;
  /** Extra facts for the export_created record (never PII). */
  auditDetails?: Record<string, unknown>;
  dataset?: string | null;
};

/**
 * Queues an export job and audits `export_created`, inside the caller's transaction: the job
 * and its record exist together or not at all. Call `notifyJobQueued()` after the commit.
 */
export async function enqueueJob(tx: TTx, options: TEnqueueJobOptions) {
  const job = await tx.exportJob.create({
    data: {
      kind: options.kind,
      exportType: options.exportType,
      format: options.format,
      userId: options.userId,
      patientId: options.patientId ?? null,
      templateId: options.templateId ?? null,
      scheduledReportId: options.scheduledReportId ?? null,
      parameters: options.parameters as never,
      maxAttempts: options.maxAttempts ?? 3,
      requestMeta: (options.meta ?? undefined) as never,
      progress: { percent: 0, stage: "queued" },
    },
    select: { id: true, status: true, createdAt: true },
  });
  await recordAudit(tx, {
    action: "export_created",
    userId: options.userId,
    exportJobId: job.id,
    patientId: options.patientId ?? null,
    templateId: options.templateId ?? null,
    scheduleId: options.scheduledReportId ?? null,
    dataset: options.dataset ?? null,
    metadata: { kind: options.kind, exportType: options.exportType, format: options.format, ...(options.auditDetails ?? {}) },
    meta: options.meta,
  });

  return job;
}

export function notifyJobQueued() {
  jobSignals.emit("queued");
}
