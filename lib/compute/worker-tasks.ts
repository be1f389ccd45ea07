// Runs inside a compute worker only (see worker-entry.mjs): the implementation behind each entry
// of task-catalog.ts, loaded lazily so a worker pays only for the kinds of work it is given.
import { AppError } from "@/lib/errors/app-error";
import type { TComputeTaskName, TTaskMessage, TTaskReply } from "@/lib/compute/task-catalog";

type TTaskImpl = (input: never) => unknown;

const IMPLEMENTATIONS: Record<TComputeTaskName, () => Promise<TTaskImpl>> = {
  "render.document": async () => (await import("@/lib/compute/tasks/render-document.task")).renderDocumentTask,
  "render.template": async () => (await import("@/lib/compute/tasks/render-template.task")).renderTemplateTask,
  "render.combined-pdf": async () => (await import("@/lib/compute/tasks/render-combined-pdf.task")).renderCombinedPdfTask,
  "dataset.plan": async () => (await import("@/lib/datasets/partition-writer")).planPartitions,
  "dataset.scanner": async () => (await import("@/lib/datasets/partition-writer")).buildScannerTables,
  "dataset.partition": async () => (await import("@/lib/datasets/partition-writer")).writePartition,
  "dataset.scan-piece": async () => (await import("@/lib/datasets/partition-writer")).scanAndDeflatePiece,
  "audit.verify-range": async () => (await import("@/lib/compute/tasks/verify-audit-range.task")).verifyAuditRangeTask,
};

/**
 * The ArrayBuffers of the Uint8Arrays at the top of a task's result: moved, not copied (a dataset
 * partition's CSV and deflated bytes are megabytes). A task returns views that own their buffers.
 */
function transferablesOf(value: unknown): ArrayBuffer[] | undefined {
  if (!value || typeof value !== "object") return undefined;
  const buffers = new Set<ArrayBuffer>();
  for (const item of Object.values(value)) {
    if (item instanceof Uint8Array && item.buffer instanceof ArrayBuffer && item.byteOffset === 0 && item.byteLength === item.buffer.byteLength && item.byteLength > 0) buffers.add(item.buffer);
  }

  return buffers.size ? [...buffers] : undefined;
}

const loaded = new Map<TComputeTaskName, Promise<TTaskImpl>>();

/** Runs one task; `onStart` is called once its code is loaded, just before it runs. */
export async function runWorkerTask(message: TTaskMessage, onStart: () => void = () => undefined): Promise<TTaskReply<unknown>> {
  try {
    const load = IMPLEMENTATIONS[message.name];
    if (!load) throw new Error(`unknown compute task "${String(message.name)}"`);
    if (!loaded.has(message.name)) loaded.set(message.name, load());
    const impl = await loaded.get(message.name)!;
    onStart();

    const value = await impl(message.input as never);

    return { ok: true, value, transfer: transferablesOf(value) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: { name: "AppError", message: error.message, code: error.code, issues: error.issues } };
    // The message only: a stack would name files and lines to whoever reads the reply.
    return { ok: false, error: { name: error instanceof Error ? error.name : "Error", message: error instanceof Error ? error.message : String(error) } };
  }
}
