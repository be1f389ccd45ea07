// Checks the configuration the server cannot run without, then starts the embedded job runner
// inside the Next.js server process (JOB_RUNNER=inline, the default). With JOB_RUNNER=external,
// `npm run worker` processes do the work instead. Either way the process shuts down gracefully on
// SIGTERM (lib/lifecycle/graceful-shutdown.ts).
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
  const { installGracefulShutdown } = await import("@/lib/lifecycle/graceful-shutdown");
  const graceMs = env().SHUTDOWN_GRACE_SECONDS * 1000;
  // Only when Next's own handler is off (`npm start` sets it): both at once would race to exit.
  const ownsSignals = Boolean(process.env.NEXT_MANUAL_SIG_HANDLE);
  if (env().JOB_RUNNER !== "inline") {
    if (ownsSignals) installGracefulShutdown({ name: "web", graceMs, drainHttp: true });
    return;
  }
  const { startJobRunner } = await import("@/lib/jobs/runner");
  const { PERIODIC_TASKS } = await import("@/lib/jobs/periodic-tasks");
  const runner = startJobRunner({ periodic: PERIODIC_TASKS });
  if (ownsSignals) installGracefulShutdown({ name: "web", graceMs, drainHttp: true, stopRunner: (ms) => runner.stop({ graceMs: ms }) });
}
