import type { Readable } from "node:stream";

import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TTx } from "@/lib/db/client";

export type TJobProgress = {
  percent: number;
  /** Free-form stage, e.g. "rendering", "scanning". */
  stage?: string;
  rows?: number;
  totalRows?: number;
  datasets?: Record<string, { rows: number; total: number; done?: boolean }>;
  /** A batch report (kind report_batch): patients done of total, and how each ended. */
  patients?: { done: number; total: number; included: number; skipped: number; failed: number };
};

/** What a handler sees of its job; `payload` is its parameters, validated against its kind's schema at claim time. */
export type TJobContext<TPayload = unknown> = {
  payload: TPayload;
  job: {
    id: string;
    kind: string;
    exportType: string;
    format: string;
    userId: string;
    patientId: string | null;
    templateId: string | null;
    scheduledReportId: string | null;
    parameters: unknown;
    attempts: number;
    requestMeta: TRequestMeta | null;
    createdAt: Date;
  };
  /** Stores progress on the job (throttled) and renews the lease. */
  reportProgress(progress: TJobProgress): Promise<void>;
  /** Aborted when the job is cancelled or its lease is lost. */
  signal: AbortSignal;
  /**
   * Runs `work` in one transaction only while this worker still holds the job's lease (renewing
   * it); otherwise throws LeaseLostError and writes nothing. For side effects that must happen
   * once: a worker that lost its job to another can never record over it.
   */
  whileLeased<T>(work: (tx: TTx) => Promise<T>): Promise<T>;
};

/** A handler's product: the file to store. */
export type TJobOutput = {
  body: Readable | Buffer;
  fileName: string;
  mimeType: string;
  /** Facts for the job's completion audit record (counts, options; never PII). */
  auditDetails?: Record<string, unknown>;
  /**
   * Runs on the stored plaintext before the job is marked completed (the release scan);
   * throwing fails the job and the file is deleted, never offered.
   */
  verify?: (open: () => Promise<Readable>) => Promise<void>;
};

/** A kind that produces a file: the runner stores, checksums and verifies what it returns. */
export type TJobHandler<TPayload = unknown> = (context: TJobContext<TPayload>) => Promise<TJobOutput>;

/** A kind that acts (a delivery) and produces no file. */
export type TTaskHandler<TPayload = unknown> = (context: TJobContext<TPayload>) => Promise<void>;

/** A failure that retrying cannot fix (bad parameters, a release scan hit, lost access). */
export class PermanentJobError extends Error {
  /** The patient the failure is about, when the job itself names none (a release scan hit): recorded on the audit entry. */
  readonly patientId: string | undefined;

  constructor(message: string, options: { patientId?: string } = {}) {
    super(message);
    this.name = "PermanentJobError";
    this.patientId = options.patientId;
  }
}

/** The worker no longer holds the job (its lease ran out and another worker took it, or it was cancelled). */
export class LeaseLostError extends Error {
  constructor() {
    super("The job's lease was lost: another worker took it over, or it was cancelled.");
    this.name = "LeaseLostError";
  }
}

/** A job in its final state, as the job-finished hooks see it (lib/jobs/job-finished-hooks.ts). */
export type TFinishedJob = { id: string; kind: string; status: "COMPLETED" | "FAILED"; scheduledReportId: string | null; userId: string };
