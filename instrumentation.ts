// Checks the configuration the server cannot run without, then starts the embedded job runner
// inside the Next.js server process (JOB_RUNNER=inline, the default). With JOB_RUNNER=external,
// `npm run worker` processes do the work instead.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  const { authBaseUrlSetup } = await import("@/lib/auth/auth-base-url");
  const setup = authBaseUrlSetup();
  if (setup.problem !== null) {
    // One clear line, no stack: production needs its public address (lib/app-url).
    console.error(setup.problem);
    process.exit(1);
  }
  // next-auth reads its base from process.env only.
  Object.assign(process.env, setup.variables);
  if (env().JOB_RUNNER !== "inline") return;
  const { startJobRunner } = await import("@/lib/jobs/runner");
  const { PERIODIC_TASKS } = await import("@/lib/jobs/periodic-tasks");
  startJobRunner({ periodic: PERIODIC_TASKS });
}
