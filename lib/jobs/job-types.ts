import type { Readable } from "node:stream";

import type { TRequestMeta } from "@/lib/audit/request-meta";

/** The kinds of job the one job system runs; each has a handler in lib/jobs/registry.ts. */
export type TJobKind = "report" | "dataset" | "bulk" | "fhir_sync" | "report_batch";

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

/** What a handler sees of its job. */
export type TJobContext = {
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

export type TJobHandler = (context: TJobContext) => Promise<TJobOutput>;

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

/** A job in its final state, as the job-finished hooks see it (lib/jobs/job-finished-hooks.ts). */
export type TFinishedJob = { id: string; status: "COMPLETED" | "FAILED"; scheduledReportId: string | null; userId: string };
