// Runs inside a compute worker only (see worker-entry.mjs): the implementation behind each entry
// of task-catalog.ts, loaded lazily so a worker pays only for the kinds of work it is given.
import { AppError } from "@/lib/errors/app-error";
import type { TComputeTaskName, TTaskMessage, TTaskReply } from "@/lib/compute/task-catalog";

type TTaskImpl = (input: never) => unknown;

const IMPLEMENTATIONS: Record<TComputeTaskName, () => Promise<TTaskImpl>> = {
  "render.document": async () => (await import("@/lib/compute/tasks/render-document.task")).renderDocumentTask,
  "render.template": async () => (await import("@/lib/compute/tasks/render-template.task")).renderTemplateTask,
  "render.combined-pdf": async () => (await import("@/lib/compute/tasks/render-combined-pdf.task")).renderCombinedPdfTask,
  "audit.verify-range": async () => (await import("@/lib/compute/tasks/verify-audit-range.task")).verifyAuditRangeTask,
};

const loaded = new Map<TComputeTaskName, Promise<TTaskImpl>>();

/** Runs one task; `onStart` is called once its code is loaded, just before it runs. */
export async function runWorkerTask(message: TTaskMessage, onStart: () => void = () => undefined): Promise<TTaskReply<unknown>> {
  try {
    const load = IMPLEMENTATIONS[message.name];
    if (!load) throw new Error(`unknown compute task "${String(message.name)}"`);
    if (!loaded.has(message.name)) loaded.set(message.name, load());
    const impl = await loaded.get(message.name)!;
    onStart();

    return { ok: true, value: await impl(message.input as never) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: { name: "AppError", message: error.message, code: error.code, issues: error.issues } };
    // The message only: a stack would name files and lines to whoever reads the reply.
    return { ok: false, error: { name: error instanceof Error ? error.name : "Error", message: error instanceof Error ? error.message : String(error) } };
  }
}
