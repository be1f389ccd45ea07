// Periodic work the runner does besides jobs (the file sweeper is built in). Each module that
// needs a clock adds itself here; the task bodies are imported lazily.
import type { TPeriodicTask } from "@/lib/jobs/runner";

export const PERIODIC_TASKS: TPeriodicTask[] = [
  // Every 30 s: a run starts at most half a minute late; claims are exactly-once, so every instance may tick.
  { name: "scheduler-tick", everyMs: 30_000, run: async () => (await import("@/lib/schedules/run-scheduler-tick")).runSchedulerTick() },
  // Every 30 s: due FHIR source syncs are queued (claimed by compare-and-set, so every instance may tick).
  { name: "fhir-source-sync-tick", everyMs: 30_000, run: async () => (await import("@/lib/fhir/sources/run-due-fhir-syncs")).runDueFhirSyncs() },
  // Every 10 min: sign-in counters whose window and lock have passed are deleted.
  { name: "login-throttle-prune", everyMs: 10 * 60_000, run: async () => (await import("@/lib/auth/prune-login-throttles")).pruneLoginThrottles() },
  // Hourly: the first tick of a UTC day stores yesterday's metric snapshot (once across instances).
  { name: "metrics-snapshot", everyMs: 60 * 60_000, run: async () => (await import("@/lib/metrics/snapshot-metrics")).snapshotMetrics() },
];
