// Starts the embedded job runner inside the Next.js server process (JOB_RUNNER=inline, the
// default). With JOB_RUNNER=external, `npm run worker` processes do the work instead.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  if (env().JOB_RUNNER !== "inline") return;
  const { startJobRunner } = await import("@/lib/jobs/runner");
  const { PERIODIC_TASKS } = await import("@/lib/jobs/periodic-tasks");
  startJobRunner({ periodic: PERIODIC_TASKS });
}
