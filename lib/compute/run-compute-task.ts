// The process's one compute pool, created on first use with the settings in lib/env.ts, and the
// way the rest of the app hands work to it. Kept on globalThis so `next dev` reloads reuse it.
import { createComputePool, defaultComputeWorkers, type TComputePool, type TRunOptions } from "@/lib/compute/compute-pool";
import type { TComputeTaskName, TTaskInput, TTaskOutput } from "@/lib/compute/task-catalog";
import { env } from "@/lib/env";

const state = globalThis as unknown as { careexportComputePool?: TComputePool };

export function computePool(): TComputePool {
  state.careexportComputePool ??= createComputePool({ workers: env().COMPUTE_WORKERS ?? defaultComputeWorkers(), memoryMb: env().COMPUTE_MEMORY_MB });

  return state.careexportComputePool;
}

export function runComputeTask<N extends TComputeTaskName>(name: N, input: TTaskInput<N>, options?: TRunOptions): Promise<TTaskOutput<N>> {
  return computePool().run(name, input, options);
}

/** Ends the pool's workers (the CLI before it exits, tests); the next task starts a new pool. */
export async function closeComputePool() {
  const pool = state.careexportComputePool;
  state.careexportComputePool = undefined;
  await pool?.close();
}
