// Graceful shutdown for `npm start` (the web process, with its inline job runner) and
// `npm run worker`. On SIGTERM or SIGINT:
//   1. /api/ready starts answering 503, so a load balancer stops sending new requests;
//   2. the web server stops accepting connections; requests already accepted run to the end;
//   3. the job runner stops claiming; running jobs get SHUTDOWN_GRACE_SECONDS to finish, then
//      their leases are released so another worker takes them at once;
//   4. the process exits (0). A second signal exits at once (leases then lapse after JOB_LEASE_SECONDS).
// Next's own signal handler is turned off (NEXT_MANUAL_SIG_HANDLE, set by `npm start`): it exits
// as soon as the HTTP server has closed, which would cut running jobs off mid-write.
import dc from "node:diagnostics_channel";
import type { Server, ServerResponse } from "node:http";

import { disconnectPrisma } from "@/lib/db/client";
import { logger } from "@/lib/logger";

type TShutdownOptions = {
  /** For the log lines: "web" or "worker". */
  name: string;
  graceMs: number;
  /** Stops the job runner within graceMs (releasing what is still running). */
  stopRunner?: (graceMs: number) => Promise<{ released: number }>;
  /** Track the process's HTTP servers and wait for their requests (the web process). */
  drainHttp?: boolean;
  exit?: (code: number) => void;
};

const state = globalThis as unknown as { careexportShutdown?: { isShuttingDown: boolean; installed: boolean } };
state.careexportShutdown ??= { isShuttingDown: false, installed: false };

/** True once a shutdown began: /api/ready answers 503 from then on. */
export function isShuttingDown() {
  return state.careexportShutdown!.isShuttingDown;
}

/** Request tracking through Node's diagnostics channels: Next owns the server object, we only observe it. */
function trackHttp() {
  const servers = new Set<Server>();
  const active = new Set<ServerResponse>();
  let onIdle: (() => void) | null = null;
  dc.subscribe("http.server.request.start", (message) => {
    const { server, response } = message as { server: Server; response: ServerResponse };
    servers.add(server);
    active.add(response);
  });
  const done = (message: unknown) => {
    active.delete((message as { response: ServerResponse }).response);
    if (active.size === 0) onIdle?.();
  };
  dc.subscribe("http.server.response.finish", done);

  return {
    /** Stops accepting connections and waits (at most until `deadline`) for accepted requests. */
    async drain(deadline: number) {
      for (const server of servers) {
        server.close();
        server.closeIdleConnections();
      }
      if (active.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          onIdle = resolve;
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        });
        clearTimeout(timer);
      }
      const unfinished = active.size;
      // What outlived the grace (a progress stream left open, a stuck client) is cut off.
      for (const server of servers) server.closeAllConnections();

      return unfinished;
    },
  };
}

export function installGracefulShutdown(options: TShutdownOptions) {
  if (state.careexportShutdown!.installed) return;
  state.careexportShutdown!.installed = true;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const http = options.drainHttp ? trackHttp() : null;

  const onSignal = (signal: NodeJS.Signals) => {
    if (state.careexportShutdown!.isShuttingDown) {
      logger.warn(`${options.name}: second ${signal}, exiting now`);
      exit(1);
      return;
    }
    state.careexportShutdown!.isShuttingDown = true;
    const deadline = Date.now() + options.graceMs;
    logger.info(`${options.name}: ${signal} received, shutting down`, { graceSeconds: options.graceMs / 1000 });
    void (async () => {
      const [runner, unfinishedRequests] = await Promise.all([
        options.stopRunner?.(options.graceMs).catch((error: unknown) => {
          logger.error(`${options.name}: stopping the job runner failed`, { error });
          return { released: 0 };
        }),
        http?.drain(deadline),
      ]);
      logger.info(`${options.name}: stopped`, { releasedJobs: runner?.released ?? 0, unfinishedRequests: unfinishedRequests ?? 0 });
      // Finishes what waits for the database (the audit head anchor) before closing it.
      await disconnectPrisma().catch(() => undefined);
      exit(0);
    })();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
