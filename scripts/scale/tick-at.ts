// One scheduler tick at a given wall-clock instant, for `npm run test:scale`'s race: two of these
// processes load the scheduler and open their database connection, each says "ready", then both
// are sent the same instant (epoch ms, one line on stdin) and tick at that millisecond as the same
// clock reading (`--now`). It is the tick every worker runs every 30 s
// (lib/schedules/run-scheduler-tick), in a process of its own. Prints the result as one JSON line.
import { createInterface } from "node:readline";

import { disconnectPrisma, prisma } from "@/lib/db/client";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";

function flag(name: "now") {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (!value) throw new Error(`--${name} is required`);

  return value;
}

async function main() {
  const now = new Date(flag("now"));
  // Warm: the connection pool and the lazily loaded modules, so both processes start level.
  await prisma.$queryRaw`SELECT 1`;
  await import("@/lib/schedules/start-scheduled-export");
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  console.log("ready");
  const at = Number((await lines.next()).value);
  if (!Number.isFinite(at)) throw new Error("expected the instant (epoch ms) on stdin");
  const wait = at - Date.now();
  if (wait < 0) throw new Error(`started ${-wait} ms after the agreed instant: the race would not be a race`);
  // A timer wakes a few ms late under load; the last 30 ms are waited out on the clock itself.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait - 30)));
  while (Date.now() < at) {
    // spin
  }
  const tickedAt = Date.now();
  const result = await runSchedulerTick(now);
  console.log(JSON.stringify({ tickedAt, runs: result.runs.map((run) => ({ scheduleId: run.scheduleId, status: run.status, jobId: run.jobId })) }));
}

main()
  .then(() => disconnectPrisma())
  .catch(async (error) => {
    console.error((error as Error).message);
    await disconnectPrisma();
    process.exit(1);
  });
