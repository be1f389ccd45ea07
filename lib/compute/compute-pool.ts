// One pool of worker threads for heavy work (piscina), so layout, hashing and the like never hold
// the web process's one JavaScript thread. Every task has a time limit, counted from the moment a
// worker starts it (not while it waits in the queue), and every worker a memory limit (V8
// resourceLimits). A task over either is stopped by ending its worker; piscina starts a fresh one
// for the next task, and the caller gets a ComputeLimitError whose message says which limit.
// How the workers load TypeScript under each host is in worker-entry.mjs and the README.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";

import { Piscina } from "piscina";

import { COMPUTE_TASKS, type TComputeTaskName, type TTaskInput, type TTaskMessage, type TTaskOutput, type TTaskReply } from "@/lib/compute/task-catalog";
import { AppError, type TAppErrorCode } from "@/lib/errors/app-error";

export type TComputePoolOptions = {
  /** Worker threads (at least 1). */
  workers: number;
  /** Each worker's heap limit (V8 old generation), in MB. */
  memoryMb: number;
  /** How long an idle worker beyond the first is kept. */
  idleTimeoutMs?: number;
};

export type TRunOptions = {
  /** Overrides the task's default time limit (task-catalog.ts). */
  timeoutMs?: number;
  /** Cancels the task: waiting, it leaves the queue; running, its worker is ended. */
  signal?: AbortSignal;
};

/** A task stopped at its time or memory limit; the message is fit to show to the person who asked. */
export class ComputeLimitError extends Error {
  readonly limit: "time" | "memory";
  readonly task: TComputeTaskName;

  constructor(task: TComputeTaskName, limit: "time" | "memory", message: string) {
    super(message);
    this.name = "ComputeLimitError";
    this.task = task;
    this.limit = limit;
  }
}

export type TComputePool = {
  readonly workers: number;
  run<N extends TComputeTaskName>(name: N, input: TTaskInput<N>, options?: TRunOptions): Promise<TTaskOutput<N>>;
  close(): Promise<void>;
};

/** The default pool size: one worker per core but one, which stays with the web process; at least 1. */
export function defaultComputeWorkers() {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * worker-entry.mjs beside this file when running from source (tsx, vitest); under Next.js this
 * module is bundled into .next, so the entry is found from the app's directory instead.
 */
function workerEntryPath() {
  const candidates = [path.join(path.dirname(fileURLToPath(import.meta.url)), "worker-entry.mjs"), path.join(process.cwd(), "lib", "compute", "worker-entry.mjs")];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`compute worker entry not found (looked for ${candidates.join(", ")})`);

  return found;
}

function errorFromReply(error: Extract<TTaskReply<unknown>, { ok: false }>["error"]): Error {
  if (error.name === "AppError" && error.code) return new AppError(error.code as TAppErrorCode, error.message, { issues: error.issues });
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;

  return rebuilt;
}

const formatSeconds = (ms: number) => (ms >= 10_000 ? String(Math.round(ms / 1000)) : String(Math.round(ms / 100) / 10));

export function createComputePool(options: TComputePoolOptions): TComputePool {
  const workers = Math.max(1, Math.floor(options.workers));
  const piscina = new Piscina({
    filename: workerEntryPath(),
    minThreads: 1,
    maxThreads: workers,
    idleTimeout: options.idleTimeoutMs ?? 60_000,
    resourceLimits: { maxOldGenerationSizeMb: options.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, Math.floor(options.memoryMb / 8))) },
    // A clean thread: the host's loader flags (tsx's --import, vitest's) are not for it; worker-entry.mjs registers its own.
    execArgv: [],
  });

  async function run<N extends TComputeTaskName>(name: N, input: TTaskInput<N>, runOptions: TRunOptions = {}): Promise<TTaskOutput<N>> {
    const spec = COMPUTE_TASKS[name];
    const timeoutMs = runOptions.timeoutMs ?? spec.timeoutMs;
    const stop = new AbortController();
    let overTime = false;
    let timer: NodeJS.Timeout | undefined;
    const onCancel = () => stop.abort(runOptions.signal?.reason);
    if (runOptions.signal?.aborted) onCancel();
    runOptions.signal?.addEventListener("abort", onCancel, { once: true });

    // The worker says when it starts the task: the clock runs from there, not from the queue.
    const started = new MessageChannel();
    started.port1.once("message", () => {
      timer = setTimeout(() => {
        overTime = true;
        stop.abort();
      }, timeoutMs);
    });
    started.port1.unref();

    try {
      const message: TTaskMessage & { started: MessagePort } = { name, input, started: started.port2 as unknown as MessagePort };
      const reply = (await piscina.run(message, { signal: stop.signal, transferList: [started.port2] as never })) as TTaskReply<TTaskOutput<N>>;
      if (!reply.ok) throw errorFromReply(reply.error);

      return reply.value;
    } catch (error) {
      if (overTime) throw new ComputeLimitError(name, "time", spec.overTime(formatSeconds(timeoutMs)));
      if ((error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY") throw new ComputeLimitError(name, "memory", spec.overMemory(options.memoryMb));
      throw error;
    } finally {
      clearTimeout(timer);
      runOptions.signal?.removeEventListener("abort", onCancel);
      started.port1.close();
    }
  }

  return {
    workers,
    run,
    close: () => piscina.destroy(),
  };
}
