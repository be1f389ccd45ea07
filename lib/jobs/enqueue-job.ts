import { EventEmitter } from "node:events";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TTx } from "@/lib/db/client";
import { JOB_DEFINITIONS, type TJobKind, type TJobPayloadInput } from "@/lib/jobs/registry";

/** Wakes the in-process worker when a job is queued, instead of waiting for its next poll. */
export const jobSignals = new EventEmitter();

export type TEnqueueJobOptions<K extends TJobKind> = {
  kind: K;
  /** Ids and options only, checked against the kind's schema here: what the handler will run. */
  payload: TJobPayloadInput<K>;
  exportType: string;
  format: string;
  userId: string;
  patientId?: string | null;
  templateId?: string | null;
  scheduledReportId?: string | null;
  /** At most one job per key: a second enqueue with it fails on the unique index (Prisma P2002). */
  uniqueKey?: string | null;
  meta?: TRequestMeta | null;
  /** Extra facts for the export_created record (never PII). */
  auditDetails?: Record<string, unknown>;
  dataset?: string | null;
};

/**
 * A payload its kind's schema refuses, at enqueue: the caller built it wrong (requests are
 * validated before they get here), so this is a programming error, thrown, never a 4xx.
 */
export class InvalidJobPayloadError extends Error {
  constructor(kind: string, issues: { path: PropertyKey[]; message: string }[]) {
    super(`Invalid payload for a "${kind}" job: ${issues.map((issue) => `${issue.path.map(String).join(".") || "(payload)"}: ${issue.message}`).join("; ")}`);
    this.name = "InvalidJobPayloadError";
  }
}

/**
 * Queues a job inside the caller's transaction. An export (a kind that produces a file) is
 * audited `export_created` in the same transaction: the job and its record exist together or not
 * at all. Call `notifyJobQueued()` after the commit.
 */
export async function enqueueJob<K extends TJobKind>(tx: TTx, options: TEnqueueJobOptions<K>) {
  const definition = JOB_DEFINITIONS[options.kind];
  const parsed = definition.payload.safeParse(options.payload);
  if (!parsed.success) throw new InvalidJobPayloadError(options.kind, parsed.error.issues);

  const job = await tx.exportJob.create({
    data: {
      kind: options.kind,
      exportType: options.exportType,
      format: options.format,
      userId: options.userId,
      patientId: options.patientId ?? null,
      templateId: options.templateId ?? null,
      scheduledReportId: options.scheduledReportId ?? null,
      parameters: parsed.data as never,
      payloadVersion: definition.version,
      uniqueKey: options.uniqueKey ?? null,
      maxAttempts: definition.retry.maxAttempts,
      requestMeta: (options.meta ?? undefined) as never,
      progress: { percent: 0, stage: "queued" },
    },
    select: { id: true, status: true, createdAt: true },
  });
  if (definition.produces === "file") {
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
  }

  return job;
}

export function notifyJobQueued() {
  jobSignals.emit("queued");
}
