// npm run test:scale — the scale-out proof (issue 21): the production shape on one machine, under
// load and crashes. Exits non-zero when anything below does not hold.
//
//   one fresh PostgreSQL database (SCALE_DATABASE_URL, default careexport_scale on 127.0.0.1),
//   the demo data (scripts/prepare-db.ts --seed), one S3-compatible server (s3rver), two
//   `npm start` web instances (JOB_RUNNER=external) and two `npm run worker` processes, all on
//   127.0.0.1 with the same shared secrets; then
//   1. load: a mix of report exports (therapist), downloads, dataset exports (analyst) and audit
//      pages (admin) through both instances, with API tokens;
//   2. under lighter load: `kill -9` of the worker in the middle of a dataset export, and two
//      scheduler ticks at the same instant over schedules due at that instant;
//   3. SIGTERM to one web instance under load;
//   4. every job finished (none failed), each raced schedule run delivered once, the audit chain
//      intact after four processes wrote it.
// Prints request count, errors (must be 0), p50/p95 latency and jobs completed.
// Needs a production build (`npm run build`, made here when .next has none) and PostgreSQL.
import { S3Client } from "@aws-sdk/client-s3";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";

import pg from "pg";

import { DEMO_USERS } from "@/lib/demo/demo-users";

import { S3RVER_CREDENTIALS, startS3Server, type TS3TestServer } from "../tests/setup/s3-server";
import { createToken, dropDatabase, freePort, killGroup, resetDatabase, ScenarioFailure, seedDemo, startWebInstance, startWorker, type TProcess, waitFor, waitUntilReady, waitUntilWorking } from "./scale/cluster";
import { jsonOf, send } from "./scale/http";
import { LoadGenerator, summarize, type TPhase, type TSample } from "./scale/load";
import { checkRaceDeliveries, killWorkerMidExport, raceSchedulerTicks, stopInstanceUnderLoad, type TContext } from "./scale/scenarios";

const DATABASE_URL = process.env.SCALE_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/careexport_scale";
const RUN_DIR = path.resolve("data/scale");
const GRACE_SECONDS = 20;
const RACED_SCHEDULES = 12;
/** The whole run's bound: past it everything is stopped and the run fails. */
const RUN_LIMIT_MS = 9 * 60_000;

const PHASES = {
  load: { name: "load", durationMs: 30_000, maxRequests: 900, users: 6, maxReportExports: 30, maxDatasetExports: 2 },
  crash: { name: "kill-9 + tick race", durationMs: 45_000, maxRequests: 400, users: 2, maxReportExports: 6, maxDatasetExports: 0 },
  stop: { name: "SIGTERM", durationMs: 24_000, maxRequests: 900, users: 8, maxReportExports: 10, maxDatasetExports: 1 },
} satisfies Record<string, TPhase>;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`;
const log = (line: string) => console.log(`[${elapsed()}] ${line}`);

function ensureBuild() {
  if (existsSync(".next/BUILD_ID")) return;
  log("no production build in .next: npm run build");
  execFileSync("npm", ["run", "build"], { stdio: "inherit" });
}

function processEnv(s3: TS3TestServer, appUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...s3.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    DATABASE_URL,
    // One directory for every process, as a shared volume: the audit head anchor lives there.
    DATA_DIR: path.join(RUN_DIR, "shared"),
    DELIVERY_DRIVER: "s3",
    DELIVERY_S3_PREFIX: "deliveries/",
    NEXTAUTH_SECRET: "scale-nextauth-secret-0123456789abcdef",
    ANON_KEY: "scale-anon-key-0123456789abcdef",
    FILE_ENCRYPTION_KEY: "scale-file-key-0123456789abcdef",
    LINK_SIGNING_KEY: "scale-link-key-0123456789abcdef",
    AUDIT_KEY: "scale-audit-key-0123456789abcdef",
    APP_URL: appUrl,
    NEXTAUTH_URL: appUrl,
    JOB_RUNNER: "external",
    SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
    // The per-user API limit (100/min) is the programme's; this run sends thousands as three users.
    // Kept on (PostgreSQL store shared by the instances), set out of reach.
    API_RATE_LIMIT_PER_MINUTE: "1000000",
    // Two cores for six processes: one compute thread each.
    COMPUTE_WORKERS: "1",
    ALLOW_DEMO_SEED: "true",
  };
  delete env.PORT;

  return env;
}

function printSummary(samples: TSample[], jobs: Record<string, number>) {
  const answered = samples.filter((sample) => sample.outcome !== "refused");
  const errors = samples.filter((sample) => sample.outcome === "error");
  const all = summarize(answered);
  console.log("\n━━ Requests (all phases, both instances)");
  console.log(`requests ${samples.length}, errors ${errors.length}, refused by a stopping instance (retried on the other) ${samples.length - answered.length}`);
  console.log(`latency p50 ${all.p50} ms, p95 ${all.p95} ms, max ${all.max} ms`);
  const ops = [...new Set(answered.map((sample) => sample.op))].sort();
  for (const op of ops) {
    const figures = summarize(answered.filter((sample) => sample.op === op));
    console.log(`  ${op.padEnd(18)} ${String(figures.count).padStart(5)}  p50 ${String(figures.p50).padStart(5)} ms  p95 ${String(figures.p95).padStart(5)} ms`);
  }
  for (const phase of Object.values(PHASES)) {
    const ofPhase = answered.filter((sample) => sample.phase === phase.name);
    const figures = summarize(ofPhase);
    const perInstance = [...new Set(ofPhase.map((sample) => sample.instance))].sort().map((name) => `${name} ${ofPhase.filter((sample) => sample.instance === name).length}`);
    console.log(`  phase ${phase.name.padEnd(20)} ${String(figures.count).padStart(5)} requests (${perInstance.join(", ")}), p50 ${figures.p50} ms, p95 ${figures.p95} ms`);
  }
  for (const error of errors.slice(0, 10)) console.log(`  error: ${error.phase} ${error.instance} ${error.op}: ${error.detail}`);
  console.log(`jobs completed ${jobs.COMPLETED ?? 0} (${Object.entries(jobs).map(([status, count]) => `${status.toLowerCase()} ${count}`).join(", ")})`);
}

// The run's processes live in their own process groups (so a kill reaches npm's children): they are
// ended here on every way out, Ctrl-C and the time limit included.
const processes: TProcess[] = [];
let s3: TS3TestServer | null = null;
let db: pg.Pool | null = null;

async function cleanUp() {
  processes.forEach(killGroup);
  await db?.end().catch(() => undefined);
  db = null;
  await s3?.stop().catch(() => undefined);
  s3 = null;
  await dropDatabase(DATABASE_URL).catch(() => undefined);
}

async function fail(message: string): Promise<never> {
  console.error(`\ntest:scale FAILED after ${elapsed().trim()}: ${message}\nProcess logs: ${RUN_DIR}/*.log`);
  await cleanUp();
  process.exit(1);
}

async function main() {
  // This process's own bucket client: the SDK's Node 20 notice is known (README "The bucket").
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  console.log(`test:scale — node ${process.version}, ${availableParallelism()} cores, load average ${loadavg().map((n) => n.toFixed(2)).join(" ")}`);
  ensureBuild();
  rmSync(RUN_DIR, { recursive: true, force: true });
  mkdirSync(path.join(RUN_DIR, "shared"), { recursive: true });
  try {
    s3 = await startS3Server("careexport-scale");
    const [portA, portB] = [await freePort(), await freePort()];
    const env = processEnv(s3, `http://127.0.0.1:${portA}`);
    await resetDatabase(DATABASE_URL, env);
    await seedDemo(env);
    log(`database ${new URL(DATABASE_URL).pathname.slice(1)} created with the demo data; s3rver at ${s3.endpoint}`);

    const instances = [startWebInstance("web-a", portA!, env, RUN_DIR), startWebInstance("web-b", portB!, env, RUN_DIR)];
    const workers = [startWorker("worker-1", env, RUN_DIR), startWorker("worker-2", env, RUN_DIR)];
    processes.push(...instances, ...workers);
    const [therapist, analyst, admin] = await Promise.all([createToken(DEMO_USERS.therapist.email, env), createToken(DEMO_USERS.analyst.email, env), createToken(DEMO_USERS.admin.email, env)]);
    await Promise.all([...instances.map((instance) => waitUntilReady(instance, 120_000)), ...workers.map((worker) => waitUntilWorking(worker, 120_000))]);
    log(`ready: ${instances.map((instance) => `${instance.name} ${instance.baseUrl}`).join(", ")}, ${workers.map((worker) => worker.name).join(", ")}`);

    const tokens = { therapist, analyst, admin };
    // The analyst's hourly dataset export limit (1) is the programme's; an admin raises it for the run.
    const settings = await send(instances[0]!.baseUrl, { method: "PATCH", path: "/api/v1/admin/settings", token: admin, body: { dataset_exports_per_hour: 100 } });
    if (settings.status !== 200) throw new ScenarioFailure(`raising dataset_exports_per_hour: HTTP ${settings.status} ${settings.body.toString("utf8").slice(0, 200)}`);
    const patients = await send(instances[1]!.baseUrl, { path: "/api/v1/patients?page_size=50", token: therapist });
    const patientIds = jsonOf<{ patients: Array<{ id: string }> }>(patients).patients.map((patient) => patient.id);
    if (patientIds.length === 0) throw new ScenarioFailure("the demo therapist has no patients");

    db = new pg.Pool({ connectionString: DATABASE_URL, max: 3 });
    const load = new LoadGenerator(instances.map((instance) => ({ name: instance.name, baseUrl: instance.baseUrl, isUp: true, signalledAt: null })), tokens, patientIds);
    const bucketClient = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
    const context: TContext = { db, bucket: { client: bucketClient, name: s3.bucket, exportsPrefix: "exports/", deliveriesPrefix: "deliveries/" }, instances, workers, tokens, load, patientIds, log };

    log(`phase "load": ${PHASES.load.users} users for ${PHASES.load.durationMs / 1000} s (at most ${PHASES.load.maxRequests} requests)`);
    await load.run(PHASES.load);
    log(`phase "load" done: ${load.samples.length} requests`);

    log(`phase "${PHASES.crash.name}": kill -9 a worker mid dataset export; ${RACED_SCHEDULES} schedules raced by two ticks (light load meanwhile)`);
    const crash = { kill: null as Awaited<ReturnType<typeof killWorkerMidExport>> | null, race: null as Awaited<ReturnType<typeof raceSchedulerTicks>> | null };
    await load.run(PHASES.crash, async () => {
      await Promise.all([
        killWorkerMidExport(context, (killed) => log(`${killed.name} killed; its lease has to run out before the other worker may take the job`)).then((result) => (crash.kill = result)),
        raceSchedulerTicks(context, env, RACED_SCHEDULES).then((result) => (crash.race = result)),
      ]);
    });
    // An orchestrator replaces a crashed worker; the next phases run with two again.
    const replacement = startWorker("worker-3", env, RUN_DIR);
    processes.push(replacement);
    workers.push(replacement);
    await waitUntilWorking(replacement, 60_000);

    log(`phase "SIGTERM": ${PHASES.stop.users} users for ${PHASES.stop.durationMs / 1000} s; web-b gets SIGTERM a third of the way in`);
    const stop = await stopInstanceUnderLoad(context, instances[1]!, PHASES.stop, GRACE_SECONDS * 1000);

    // Every job of the run finishes (none failed, none left behind), the raced runs are delivered once.
    const openJobs = async () => Number((await db!.query<{ n: string }>(`SELECT count(*)::text AS n FROM "ExportJob" WHERE status IN ('PENDING', 'PROCESSING')`)).rows[0]!.n);
    await waitFor("every job of the run finished", async () => (await openJobs()) === 0, 180_000, 500);
    await checkRaceDeliveries(context, crash.race!.scheduleIds);
    const { rows } = await db.query<{ status: string; n: string }>(`SELECT status::text AS status, count(*)::text AS n FROM "ExportJob" GROUP BY status`);
    const jobs = Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
    const verify = await send(instances[0]!.baseUrl, { path: "/api/v1/audit/verify", token: admin, timeoutMs: 120_000 });
    const chain = verify.status === 200 ? jsonOf<{ ok: boolean; count: number; reason?: string }>(verify) : null;

    printSummary(load.samples, jobs);
    console.log(`kill -9: job ${crash.kill!.jobId} interrupted at ${crash.kill!.progressAtKill}%, taken over after ${(crash.kill!.waitedForLeaseMs / 1000).toFixed(1)} s, completed in ${crash.kill!.attempts} attempts, ${crash.kill!.notReadyAnswers} not-ready answers meanwhile, ${crash.kill!.fileBytes} bytes / ${crash.kill!.zipEntries} entries verified`);
    console.log(`scheduler race: ${crash.race!.schedules} due runs, ticks ${crash.race!.tickSpreadMs} ms apart, started ${crash.race!.startedByEach.join(" + ")}, each made and delivered once`);
    console.log(`SIGTERM: ${stop.instance} exited ${stop.exitCode} after ${(stop.stoppedAfterMs / 1000).toFixed(1)} s; ${stop.acceptedBeforeSignal} requests started before the signal (${stop.inFlightAtSignal} in flight), ${stop.failedBeforeSignal} failed; ${stop.refusedAfterSignal} refused after it (retried on web-a)`);
    console.log(`audit chain: ${chain?.ok ? `intact, ${chain.count} records` : `NOT intact (${verify.status} ${chain?.reason ?? ""})`}`);

    const problems: string[] = [];
    const errors = load.samples.filter((sample) => sample.outcome === "error").length;
    if (errors > 0) problems.push(`${errors} request(s) failed`);
    if (jobs.FAILED) problems.push(`${jobs.FAILED} job(s) failed`);
    if (!chain?.ok) problems.push("the audit chain does not verify");
    const killed = crash.kill!.killedWorker;
    for (const survivor of [instances[0]!, ...workers.filter((worker) => worker.name !== killed)]) if (survivor.child.exitCode !== null) problems.push(`${survivor.name} exited unexpectedly`);
    if (problems.length) throw new ScenarioFailure(problems.join("; "));
    console.log(`\ntest:scale passed in ${elapsed().trim()}`);
  } finally {
    await cleanUp();
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void fail(`stopped by ${signal}`));
setTimeout(() => void fail(`not finished within ${RUN_LIMIT_MS / 60_000} min`), RUN_LIMIT_MS).unref();

main().catch((error: unknown) => fail(error instanceof ScenarioFailure ? error.message : ((error as Error).stack ?? String(error))));
