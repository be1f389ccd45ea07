// The catalog of work the compute pool runs: each task's input and output types, its default time
// limit and how an over-limit failure reads. Imported by both sides (the pool on the main thread,
// the dispatcher in the workers), so it holds no implementation: that is in worker-tasks.ts,
// loaded only inside a worker. A new kind of heavy work (dataset partitions, the release scan,
// FHIR NDJSON writing) adds one entry here and one loader in worker-tasks.ts.
import type { TRangeResult, TWorkerTarget } from "@/lib/audit/chain-segment";
import type { TPartitionInput, TPartitionOutput, TPlanInput, TScannerBuildInput, TScannerBuildOutput, TScanPieceInput, TScanPieceOutput } from "@/lib/datasets/partition-writer";
import type { TPlannedRange } from "@/lib/datasets/sql-source";
import type { TDocumentFormat } from "@/lib/render/render-document";
import type { TReportExportType } from "@/lib/reports/report-context.types";

export type TComputeTasks = {
  /** Rendered template HTML -> document tree -> PDF or DOCX bytes (lib/render). */
  "render.document": {
    input: { html: string; format: TDocumentFormat; title: string };
    output: Uint8Array;
  };
  /** A Liquid template rendered with a report context, then laid out as PDF or DOCX (lib/templates, lib/render). */
  "render.template": {
    /** `validateAs`: first check the template as it is checked at save time (strict, against that type's sample). */
    input: { content: string; context: Record<string, unknown>; format: TDocumentFormat; title: string; validateAs?: TReportExportType };
    output: Uint8Array;
  };
  /**
   * Several documents in one PDF (a batch report's combined file): each part a Liquid template
   * with its context, or ready HTML (the batch's summary page), laid out with its own running
   * header, footer and page numbers, one after another.
   */
  "render.combined-pdf": {
    input: { title: string; parts: ({ content: string; context: Record<string, unknown> } | { html: string })[] };
    output: Uint8Array;
  };
  /** A table dataset's rows split into key ranges of about `rowsPerPartition` rows (lib/datasets/sql-source.ts). */
  "dataset.plan": {
    input: TPlanInput;
    output: { rows: number; ranges: TPlannedRange[] };
  };
  /** The export's release scanner, built once: its tables in shared memory, read by every worker's tasks of the job. */
  "dataset.scanner": {
    input: TScannerBuildInput;
    output: TScannerBuildOutput;
  };
  /** One key range of a table dataset read, de-identified, written as CSV, release-scanned and deflated (lib/datasets/partition-writer.ts). */
  "dataset.partition": {
    input: TPartitionInput;
    output: TPartitionOutput;
  };
  /** Bytes written on the main thread (the manifest, a computed dataset's CSV) and entry names: release-scanned and deflated. */
  "dataset.scan-piece": {
    input: TScanPieceInput;
    output: TScanPieceOutput;
  };
  /** One seq range of the audit chain on SQLite, read through the worker's own read-only connection. */
  "audit.verify-range": {
    input: TWorkerTarget & { after: number; upTo: number };
    output: TRangeResult;
  };
};

export type TComputeTaskName = keyof TComputeTasks;
export type TTaskInput<N extends TComputeTaskName> = TComputeTasks[N]["input"];
export type TTaskOutput<N extends TComputeTaskName> = TComputeTasks[N]["output"];

/**
 * Which of the pool's two kinds of worker runs a task; they differ only in the size of V8's young
 * generation, which decides how often a worker stops to collect garbage and how much it promotes.
 * - "documents": layout of one document (react-pdf, docx). The document's tree stays alive while
 *   megabytes of short-lived layout objects are made around it; a small young generation collects
 *   every few megabytes, copies the living tree each time and promotes it (one 6-page report: ~3
 *   collections, ~40 ms of GC threads' CPU at 64 MB). A larger one lets the garbage die uncopied.
 * - "data": rows streamed through in batches (dataset partitions, scans, audit ranges). Nothing
 *   outlives a batch, so a larger young generation is only more resident memory per worker.
 * Measured in BENCHMARKS.md ("Young generation per lane").
 */
export type TComputeLane = "documents" | "data";

/** How a task over its limits is described to the person waiting for it. */
export type TTaskSpec = {
  lane: TComputeLane;
  /** Default time limit in ms; callers may pass a tighter or looser one. */
  timeoutMs: number;
  overTime: (seconds: string) => string;
  overMemory: (megabytes: number) => string;
};

export const COMPUTE_TASKS: Record<TComputeTaskName, TTaskSpec> = {
  "render.document": {
    lane: "documents",
    timeoutMs: 300_000,
    overTime: (seconds) => `The document is too large to lay out within ${seconds} s.`,
    overMemory: (megabytes) => `The document is too large to lay out within ${megabytes} MB of memory.`,
  },
  "render.template": {
    lane: "documents",
    timeoutMs: 300_000,
    overTime: (seconds) => `The document is too large to lay out within ${seconds} s.`,
    overMemory: (megabytes) => `The document is too large to lay out within ${megabytes} MB of memory.`,
  },
  "render.combined-pdf": {
    lane: "documents",
    timeoutMs: 600_000,
    overTime: (seconds) => `The combined document is too large to lay out within ${seconds} s; ask for a ZIP of per-patient files.`,
    overMemory: (megabytes) => `The combined document is too large to lay out within ${megabytes} MB of memory; ask for a ZIP of per-patient files.`,
  },
  "dataset.plan": {
    lane: "data",
    timeoutMs: 600_000,
    overTime: (seconds) => `A dataset could not be split into partitions within ${seconds} s.`,
    overMemory: (megabytes) => `A dataset could not be split into partitions within ${megabytes} MB of memory.`,
  },
  "dataset.scanner": {
    lane: "data",
    timeoutMs: 600_000,
    overTime: (seconds) => `The release scan could not be prepared for every patient within ${seconds} s.`,
    overMemory: (megabytes) => `The release scan could not be prepared for every patient within ${megabytes} MB of memory.`,
  },
  "dataset.partition": {
    lane: "data",
    timeoutMs: 600_000,
    overTime: (seconds) => `A part of the dataset export could not be written within ${seconds} s; try a smaller DATASET_PARTITION_ROWS.`,
    overMemory: (megabytes) => `A part of the dataset export could not be written within ${megabytes} MB of memory; try a smaller DATASET_PARTITION_ROWS.`,
  },
  "dataset.scan-piece": {
    lane: "data",
    timeoutMs: 600_000,
    overTime: (seconds) => `Part of the dataset export could not be release-scanned within ${seconds} s.`,
    overMemory: (megabytes) => `Part of the dataset export could not be release-scanned within ${megabytes} MB of memory.`,
  },
  "audit.verify-range": {
    lane: "data",
    timeoutMs: 600_000,
    overTime: (seconds) => `Part of the audit trail could not be checked within ${seconds} s.`,
    overMemory: (megabytes) => `Part of the audit trail could not be checked within ${megabytes} MB of memory.`,
  },
};

/** What crosses back from a worker: errors as data, since an Error loses its class and fields on the way. */
export type TTaskReply<T> =
  | { ok: true; value: T; /** ArrayBuffers in `value` to move to the main thread rather than copy (worker-entry.mjs). */ transfer?: ArrayBuffer[] }
  | { ok: false; error: { name: string; message: string; code?: string; issues?: { path: string; message: string }[] } };

export type TTaskMessage = { name: TComputeTaskName; input: unknown };
