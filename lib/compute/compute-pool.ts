// One pool of worker threads for heavy work (piscina), so layout, hashing and the like never hold
// the web process's one JavaScript thread. Every task has a time limit, counted from the moment a
// worker starts it (not while it waits in the queue), and every worker a memory limit (V8
// resourceLimits). A task over either is stopped by ending its worker; piscina starts a fresh one
// for the next task, and the caller gets a ComputeLimitError whose message says which limit.
// The workers come in two lanes (task-catalog.ts, TComputeLane) that differ only in V8's young
// generation; the pool's size is one budget of running tasks shared by both.
// How the workers load TypeScript under each host is in worker-entry.mjs and the README.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";

import { Piscina } from "piscina";

import { COMPUTE_TASKS, type TComputeLane, type TComputeTaskName, type TTaskInput, type TTaskMessage, type TTaskOutput, type TTaskReply } from "@/lib/compute/task-catalog";
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

/**
 * Each lane's young generation in MB, at most an eighth of the heap limit. Measured on a 2-core
 * machine (BENCHMARKS.md, "Young generation per lane"): a 6-page PDF report, one worker, 658 ->
 * 825 docs/min and 128 -> 93 ms of CPU per document from 64 to 128 MB; a 1M-row partitioned
 * dataset export as fast with 32 MB as with 64 MB and ~130 MB less resident (two workers).
 */
const LANE_YOUNG_GENERATION_MB: Record<TComputeLane, number> = { documents: 128, data: 32 };

export function laneResourceLimits(lane: TComputeLane, memoryMb: number) {
  return { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(LANE_YOUNG_GENERATION_MB[lane], Math.max(8, Math.floor(memoryMb / 8))) };
}

/** Rejection of a task cancelled before it started (the same name piscina gives one cancelled in its queue). */
function abortError(reason: unknown) {
  const error = new Error("The task has been aborted", { cause: reason });
  error.name = "AbortError";

  return error;
}

/**
 * At most `size` tasks running at once, whichever lane they are in, first come first served: the
 * pool's size is the number of cores it may keep busy. (Piscina keeps a queue per pool, and each
 * lane is a pool of its own, so the budget they share is kept here.) A waiting task leaves the line
 * when its signal aborts, and every waiting task fails when the pool closes (as piscina fails its queue).
 */
function runningTaskSlots(size: number) {
  let free = size;
  const waiting: { grant: () => void; refuse: (error: Error) => void }[] = [];
  let closedWith: Error | null = null;

  function acquire(signal: AbortSignal): Promise<void> {
    if (closedWith) return Promise.reject(closedWith);
    if (signal.aborted) return Promise.reject(abortError(signal.reason));
    if (free > 0) {
      free -= 1;
      return Promise.resolve();
    }

    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        refuse: (error: Error) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        waiting.splice(waiting.indexOf(entry), 1);
        reject(abortError(signal.reason));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      waiting.push(entry);
    });
  }

  function release() {
    const next = waiting.shift();
    if (next) next.grant();
    else free += 1;
  }

  /** Every waiting task, and any asked for later, fails with `error` (the pool is closing). */
  function close(error: Error) {
    closedWith = error;
    for (const entry of waiting.splice(0)) entry.refuse(error);
  }

  return { acquire, release, close };
}

export function createComputePool(options: TComputePoolOptions): TComputePool {
  const workers = Math.max(1, Math.floor(options.workers));
  const slots = runningTaskSlots(workers);
  const lanes = new Map<TComputeLane, Piscina>();

  /**
   * A lane's workers, started on its first task. The documents lane keeps one worker warm (a
   * preview should not wait for a worker to load the renderers); the data lane's workers serve
   * jobs and leave when idle.
   */
  function laneFor(lane: TComputeLane) {
    let piscina = lanes.get(lane);
    if (!piscina) {
      piscina = new Piscina({
        filename: workerEntryPath(),
        minThreads: lane === "documents" ? 1 : 0,
        maxThreads: workers,
        idleTimeout: options.idleTimeoutMs ?? 60_000,
        resourceLimits: laneResourceLimits(lane, options.memoryMb),
        // A clean thread: the host's loader flags (tsx's --import, vitest's) are not for it; worker-entry.mjs registers its own.
        execArgv: [],
      });
      lanes.set(lane, piscina);
    }

    return piscina;
  }

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

    let holdsSlot = false;
    try {
      await slots.acquire(stop.signal);
      holdsSlot = true;
      const message: TTaskMessage & { started: MessagePort } = { name, input, started: started.port2 as unknown as MessagePort };
      const reply = (await laneFor(spec.lane).run(message, { signal: stop.signal, transferList: [started.port2] as never })) as TTaskReply<TTaskOutput<N>>;
      if (!reply.ok) throw errorFromReply(reply.error);

      return reply.value;
    } catch (error) {
      if (overTime) throw new ComputeLimitError(name, "time", spec.overTime(formatSeconds(timeoutMs)));
      if ((error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY") throw new ComputeLimitError(name, "memory", spec.overMemory(options.memoryMb));
      throw error;
    } finally {
      if (holdsSlot) slots.release();
      clearTimeout(timer);
      runOptions.signal?.removeEventListener("abort", onCancel);
      started.port1.close();
    }
  }

  return {
    workers,
    run,
    close: async () => {
      slots.close(new Error("The compute pool is closing."));
      await Promise.all([...lanes.values()].map((piscina) => piscina.destroy()));
    },
  };
}
