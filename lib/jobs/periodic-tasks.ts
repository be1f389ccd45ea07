// Periodic work the runner does besides jobs (the file sweeper is built in). Each module that
// needs a clock adds itself here; the task bodies are imported lazily.
import type { TPeriodicTask } from "@/lib/jobs/runner";

export const PERIODIC_TASKS: TPeriodicTask[] = [];
