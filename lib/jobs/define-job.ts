// The shape of a job kind (lib/jobs/definitions/<kind>.ts): its payload schema and version, its
// handler (imported only when a job of the kind runs), its retry policy, and what it produces.
import type { z } from "zod";

import type { TTx } from "@/lib/db/client";
import type { TJobHandler, TTaskHandler } from "@/lib/jobs/job-types";

export type TRetryPolicy = {
  /** Attempts in all, the first included; stored on each job row when it is queued. */
  maxAttempts: number;
  /** The wait before attempt `attempt + 1`, after attempt `attempt` failed. */
  backoffMs: (attempt: number) => number;
};

/** `baseMs`, then twice as long after each further failure. */
export function exponentialBackoff(baseMs: number, maxMs = 3_600_000) {
  return (attempt: number) => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** What a kind is told when one of its jobs fails for good (its payload may be unreadable: null then). */
export type TJobFailure<TPayload> = {
  job: { id: string; kind: string; userId: string; scheduledReportId: string | null; uniqueKey: string | null; attempts: number };
  payload: TPayload | null;
  /** The readable message stored on the job. */
  message: string;
};

type TDefinitionBase<TKind extends string, TSchema extends z.ZodType> = {
  kind: TKind;
  /**
   * The payload schema's version, stored on each job (payloadVersion). Raise it when a change
   * would misread payloads already queued, and give `upgrade` for the older versions; a job whose
   * version cannot be read fails with a message saying so, never with a crash.
   */
  version: number;
  payload: TSchema;
  /** Turns a payload written at an older version into the current one (then it is validated again). */
  upgrade?: (payload: unknown, fromVersion: number) => unknown;
  retry: TRetryPolicy;
};

/**
 * An export: the handler returns a file, which the runner stores encrypted, checksums, verifies
 * and offers for download; it is audited export_created / export_completed / export_failed.
 */
export type TFileJobDefinition<TKind extends string = string, TSchema extends z.ZodType = z.ZodType> = TDefinitionBase<TKind, TSchema> & {
  produces: "file";
  loadHandler: () => Promise<TJobHandler<z.output<TSchema>>>;
};

/**
 * A task (a delivery): the handler acts and audits what it did itself. `onFailed` runs in the
 * transaction that fails the job for good (retries spent, a payload that fails its schema), to
 * record and audit the failure where its owner looks.
 */
export type TTaskJobDefinition<TKind extends string = string, TSchema extends z.ZodType = z.ZodType> = TDefinitionBase<TKind, TSchema> & {
  produces: "nothing";
  loadHandler: () => Promise<TTaskHandler<z.output<TSchema>>>;
  onFailed: (tx: TTx, failure: TJobFailure<z.output<TSchema>>) => Promise<void>;
};

export type TJobDefinition<TKind extends string = string, TSchema extends z.ZodType = z.ZodType> = TFileJobDefinition<TKind, TSchema> | TTaskJobDefinition<TKind, TSchema>;

/** Keeps the literal kind and the schema's type, so the registry can type enqueueJob by kind. */
export function defineJob<const TKind extends string, TSchema extends z.ZodType>(definition: TFileJobDefinition<TKind, TSchema>): TFileJobDefinition<TKind, TSchema>;
export function defineJob<const TKind extends string, TSchema extends z.ZodType>(definition: TTaskJobDefinition<TKind, TSchema>): TTaskJobDefinition<TKind, TSchema>;
export function defineJob(definition: TJobDefinition) {
  return definition;
}
