// The three scale-out scenarios of `npm run test:scale`. Each returns its figures and throws a
// ScenarioFailure naming what did not hold. They read the database directly (pg) to check what the
// processes did, never through the code under test.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type pg from "pg";

import { isDescendantOf, ScenarioFailure, type TProcess, type TWebInstance, waitFor } from "./cluster";
import { jsonOf, send, sha256 } from "./http";
import type { LoadGenerator, TPhase, TTokens } from "./load";

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ScenarioFailure(message);
}

export type TContext = {
  db: pg.Pool;
  bucket: { client: S3Client; name: string; exportsPrefix: string; deliveriesPrefix: string };
  instances: TWebInstance[];
  workers: TProcess[];
  tokens: TTokens;
  load: LoadGenerator;
  patientIds: string[];
  log: (line: string) => void;
};

type TJobRow = { status: string; leaseOwner: string | null; leaseExpiresAt: Date | null; progressPercent: number; progress: { stage?: string } | null; attempts: number; fileKey: string | null; checksum: string | null };

async function jobRow(db: pg.Pool, id: string): Promise<TJobRow> {
  const { rows } = await db.query<TJobRow>(`SELECT status, "leaseOwner", "leaseExpiresAt", "progressPercent", progress, attempts, "fileKey", checksum FROM "ExportJob" WHERE id = $1`, [id]);
  check(rows[0], `job ${id} is not in the database`);

  return rows[0];
}

export async function listKeys(context: TContext, prefix: string) {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await context.bucket.client.send(new ListObjectsV2Command({ Bucket: context.bucket.name, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.NextContinuationToken;
  } while (token);

  return keys;
}

/** Every entry of the ZIP inflates to its recorded size and CRC-32 (`unzip -t`): half a file, or parts of two attempts, fail. */
function zipEntriesVerified(zip: Buffer) {
  const directory = mkdtempSync(path.join(tmpdir(), "careexport-scale-zip-"));
  try {
    const file = path.join(directory, "export.zip");
    writeFileSync(file, zip);
    execFileSync("unzip", ["-tq", file], { stdio: "pipe" });

    return execFileSync("unzip", ["-Z1", file], { encoding: "utf8" }).trim().split("\n").length;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Downloads a finished dataset through `instance` and checks every byte: SHA-256 as recorded, a whole ZIP. */
async function downloadWhole(context: TContext, instance: TWebInstance, jobId: string, checksum: string) {
  const answer = await send(instance.baseUrl, { path: `/api/v1/datasets/exports/${jobId}/download`, token: context.tokens.analyst });
  check(answer.status === 200, `download through ${instance.name}: HTTP ${answer.status} ${answer.error ?? ""}`);
  const digest = sha256(answer.body);
  check(digest === checksum && answer.headers["x-content-sha256"] === checksum, `download through ${instance.name}: SHA-256 ${digest}, the job recorded ${checksum}`);
  try {
    return { bytes: answer.body.length, entries: zipEntriesVerified(answer.body) };
  } catch (error) {
    const detail = (error as { stdout?: Buffer }).stdout?.toString().trim() || (error as Error).message;
    throw new ScenarioFailure(`download through ${instance.name} is not a whole ZIP: ${detail.slice(0, 500)}`);
  }
}

export type TKillResult = { jobId: string; killedWorker: string; progressAtKill: number; waitedForLeaseMs: number; notReadyAnswers: number; attempts: number; fileBytes: number; zipEntries: number; takenOverBy: string };

/**
 * `kill -9` of the worker in the middle of a dataset export: after the lease runs out the other
 * worker runs the job again and completes it; the bucket holds one file for it; until then every
 * download answers "not ready" (409) and never part of a file; afterwards the file verifies whole.
 */
export async function killWorkerMidExport(context: TContext, onKilled: (worker: TProcess) => void): Promise<TKillResult> {
  const { db, instances, workers, log } = context;
  const created = await send(instances[0]!.baseUrl, { method: "POST", path: "/api/v1/datasets/exports", token: context.tokens.analyst, body: { tier: "anon", attestation: true } });
  check(created.status === 202, `starting the dataset export: HTTP ${created.status} ${created.body.toString("utf8").slice(0, 200)}`);
  const jobId = jsonOf<{ job_id: string }>(created).job_id;

  // The middle: a worker holds the lease and has reported progress, and the job is not finished.
  const claim = await waitFor(
    "a worker in the middle of the dataset export",
    async () => {
      const row = await jobRow(db, jobId);
      if (row.status === "COMPLETED" || row.status === "FAILED") return { row, isTooLate: true };
      return row.status === "PROCESSING" && row.leaseOwner && row.progressPercent >= 5 ? { row, isTooLate: false } : null;
    },
    90_000,
    20,
  );
  check(!claim.isTooLate, `the dataset export ${claim.row.status.toLowerCase()} before it could be interrupted (too little demo data to catch it running?)`);
  const owner = claim.row.leaseOwner!;
  const pid = Number(owner.split(":")[1]);
  const victim = workers.find((worker) => worker.child.exitCode === null && isDescendantOf(pid, worker.child.pid!));
  check(victim, `the lease owner ${owner} is none of the scale run's workers`);
  process.kill(pid, "SIGKILL");
  const killedAt = Date.now();
  onKilled(victim);
  const exit = await victim.exited;
  log(`kill -9: ${victim.name} (pid ${pid}) killed at ${claim.row.progressPercent}% (${claim.row.progress?.stage ?? "no stage"}) of dataset export ${jobId}; it exited with ${exit.signal ?? exit.code}`);
  const leaseRanOutAt = claim.row.leaseExpiresAt!.getTime();

  // Until it is complete: every download through either instance answers 409, never a byte of file.
  let notReadyAnswers = 0;
  let takenOverBy: string | null = null;
  let takenOverAt = 0;
  let nextDownloadAt = 0;
  let turn = 0;
  const done = await waitFor(
    `dataset export ${jobId} completing on another worker`,
    async () => {
      const row = await jobRow(db, jobId);
      if (row.leaseOwner && row.leaseOwner !== owner && !takenOverBy) {
        takenOverBy = row.leaseOwner;
        takenOverAt = Date.now();
      }
      if (row.status === "COMPLETED" || row.status === "FAILED") return row;
      if (Date.now() >= nextDownloadAt) {
        nextDownloadAt = Date.now() + 500;
        const instance = instances.filter((candidate) => candidate.child.exitCode === null)[turn++ % 2] ?? instances[0]!;
        const answer = await send(instance.baseUrl, { path: `/api/v1/datasets/exports/${jobId}/download`, token: context.tokens.analyst });
        // The job may complete between the read above and this download: a 200 is then checked whole below.
        if (answer.status === 200) return jobRow(db, jobId);
        check(answer.status === 409, `download of the unfinished export through ${instance.name}: HTTP ${answer.status} ${answer.error ?? ""}, expected 409 (not ready)`);
        notReadyAnswers += 1;
      }
      return null;
    },
    180_000,
    100,
  );
  check(done.status === "COMPLETED", `the interrupted dataset export ended ${done.status}`);
  check(done.attempts >= 2, `the job completed in ${done.attempts} attempt(s): it was not run again after the kill`);
  check(takenOverBy, "no other worker was seen taking the job over");
  // 1 s of slack: the lease's instant is compared with this script's clock reading of the takeover.
  check(takenOverAt >= leaseRanOutAt - 1_000, `the job was taken over ${leaseRanOutAt - takenOverAt} ms before its lease ran out`);
  const survivor = workers.find((worker) => worker !== victim && worker.child.exitCode === null && isDescendantOf(Number(String(takenOverBy).split(":")[1]), worker.child.pid!));
  check(survivor, `the job was taken over by ${takenOverBy}, not by the other worker`);

  const keys = (await listKeys(context, context.bucket.exportsPrefix)).filter((key) => key.includes(jobId));
  check(keys.length === 1 && keys[0] === `${context.bucket.exportsPrefix}${done.fileKey}`, `the bucket holds ${keys.length} object(s) for the job (${keys.join(", ")}), expected exactly its file ${done.fileKey}`);
  let whole = { bytes: 0, entries: 0 };
  for (const instance of instances) whole = await downloadWhole(context, instance, jobId, done.checksum!);
  log(`kill -9: ${survivor.name} took the job over ${((takenOverAt - killedAt) / 1000).toFixed(1)} s after the kill (the lease ran out ${((leaseRanOutAt - killedAt) / 1000).toFixed(1)} s after it); completed in ${done.attempts} attempts; ${notReadyAnswers} downloads meanwhile answered 409; one object in the bucket; ${whole.bytes} bytes in ${whole.entries} ZIP entries verify through both instances`);

  return { jobId, killedWorker: victim.name, progressAtKill: claim.row.progressPercent, waitedForLeaseMs: takenOverAt - killedAt, notReadyAnswers, attempts: done.attempts, fileBytes: whole.bytes, zipEntries: whole.entries, takenOverBy };
}

export type TTickRaceResult = { schedules: number; slot: string; tickSpreadMs: number; startedByEach: number[]; scheduleIds: string[] };

type TTickOutput = { tickedAt: number; runs: Array<{ scheduleId: string; status: string; jobId: string | null }> };

/** A tick process, warming up; `go` sends it the instant to tick at. */
function startTicker(name: string, now: Date, env: NodeJS.ProcessEnv) {
  const child = spawn("node_modules/.bin/tsx", ["scripts/scale/tick-at.ts", "--now", now.toISOString()], { env, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let onReady = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    if (/^ready$/m.test(output)) onReady();
  });
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const result = new Promise<TTickOutput>((resolve, reject) =>
    child.once("exit", (code) => {
      const line = output.split("\n").find((text) => text.startsWith("{"));
      if (code === 0 && line) resolve(JSON.parse(line) as TTickOutput);
      else reject(new ScenarioFailure(`${name} failed (exit ${code}): ${output.slice(-1500)}`));
    }),
  );
  // A process that dies while warming up fails the wait for "ready" at once.
  const readyOrFailed = Promise.race([ready, result.then(() => {
    throw new ScenarioFailure(`${name} ended before it was ready`);
  })]);

  return { ready: readyOrFailed, result, go: (at: number) => child.stdin.end(`${at}\n`), kill: () => child.kill("SIGKILL") };
}

/**
 * Two scheduler ticks at the same instant, in two processes, over schedules all due at that
 * instant: each due run is started once (one ScheduleRun and one export job per schedule), and
 * each is then delivered once.
 */
export async function raceSchedulerTicks(context: TContext, env: NodeJS.ProcessEnv, count: number): Promise<TTickRaceResult> {
  const { db, instances, log } = context;
  // A whole minute at least two minutes ahead: no worker's own 30-s tick sees the slot due before the race does.
  const slot = new Date(Math.ceil((Date.now() + 120_000) / 60_000) * 60_000);
  const time = slot.toISOString().slice(11, 16);
  const scheduleIds: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const instance = instances[index % instances.length]!;
    const created = await send(instance.baseUrl, {
      method: "POST",
      path: "/api/v1/export/scheduled",
      token: context.tokens.therapist,
      body: {
        name: `scale race ${index + 1}`,
        export_type: "progress_report",
        patient_id: context.patientIds[index % context.patientIds.length],
        schedule_type: "daily",
        schedule_config: { time, timezone: "UTC" },
        parameters: { format: index % 2 ? "csv" : "json", period: "previous_30_days" },
        delivery_method: "storage",
      },
    });
    check(created.status === 201, `creating schedule ${index + 1} through ${instance.name}: HTTP ${created.status} ${created.body.toString("utf8").slice(0, 300)}`);
    const view = jsonOf<{ id: string; next_run_at: string }>(created);
    check(view.next_run_at === slot.toISOString(), `schedule ${view.id} is next due ${view.next_run_at}, expected ${slot.toISOString()}`);
    scheduleIds.push(view.id);
  }

  // Both tick processes load and connect; once both are ready they are given the same millisecond, shortly ahead.
  const tickers = [startTicker("tick process 1", slot, env), startTicker("tick process 2", slot, env)];
  try {
    await Promise.race([Promise.all(tickers.map((ticker) => ticker.ready)), new Promise((_, reject) => setTimeout(() => reject(new ScenarioFailure("the tick processes were not ready within 90 s")), 90_000))]);
  } catch (error) {
    tickers.forEach((ticker) => ticker.kill());
    throw error;
  }
  check(Date.now() < slot.getTime() - 10_000, "the tick processes became ready too close to the slot: the workers' own ticks could take it first");
  const at = Date.now() + 1_000;
  tickers.forEach((ticker) => ticker.go(at));
  const [first, second] = await Promise.all(tickers.map((ticker) => ticker.result));
  const started = [first, second].map((tick) => tick.runs.filter((run) => scheduleIds.includes(run.scheduleId) && run.status === "queued"));
  const startedIds = started.flat().map((run) => run.scheduleId);
  check(new Set(startedIds).size === startedIds.length, `a schedule's run was started by both ticks: ${startedIds.filter((id, index) => startedIds.indexOf(id) !== index).join(", ")}`);
  check(startedIds.length === count, `the two ticks started ${startedIds.length} run(s) for ${count} due schedules`);

  const runs = await db.query<{ scheduleId: string; runs: string; slots: string }>(
    `SELECT "scheduleId", count(*)::text AS runs, count(*) FILTER (WHERE "scheduledFor" = $2)::text AS slots FROM "ScheduleRun" WHERE "scheduleId" = ANY($1) GROUP BY "scheduleId"`,
    [scheduleIds, slot.toISOString().replace("T", " ").replace("Z", "")],
  );
  // The export jobs (a run's delivery is a job of its own, kind "delivery", queued when its export completes).
  const jobs = await db.query<{ scheduledReportId: string; jobs: string }>(`SELECT "scheduledReportId", count(*)::text AS jobs FROM "ExportJob" WHERE "scheduledReportId" = ANY($1) AND kind <> 'delivery' GROUP BY "scheduledReportId"`, [scheduleIds]);
  for (const id of scheduleIds) {
    const run = runs.rows.find((row) => row.scheduleId === id);
    check(run?.runs === "1" && run.slots === "1", `schedule ${id}: ${run?.runs ?? 0} run(s) in the database (${run?.slots ?? 0} for the slot), expected exactly 1`);
    const job = jobs.rows.find((row) => row.scheduledReportId === id);
    check(job?.jobs === "1", `schedule ${id}: ${job?.jobs ?? 0} export job(s), expected exactly 1`);
  }
  const spread = Math.abs(first.tickedAt - second.tickedAt);
  log(`scheduler race: ${count} schedules due at ${slot.toISOString()}, two processes ticked ${spread} ms apart; runs started ${started[0]!.length} + ${started[1]!.length}; one run and one export job per schedule in the database`);

  return { schedules: count, slot: slot.toISOString(), tickSpreadMs: spread, startedByEach: started.map((runsOfTick) => runsOfTick.length), scheduleIds };
}

/** After the workers ran the race's jobs: each run delivered exactly once, one object each in the delivery prefix. */
export async function checkRaceDeliveries(context: TContext, scheduleIds: string[]) {
  const delivered = await waitFor(
    "every raced run delivered",
    async () => {
      const { rows } = await context.db.query<{ status: string; n: string }>(`SELECT status, count(*)::text AS n FROM "ScheduleRun" WHERE "scheduleId" = ANY($1) GROUP BY status`, [scheduleIds]);
      const failed = rows.find((row) => row.status === "failed" || row.status === "skipped");
      if (failed) throw new ScenarioFailure(`${failed.n} raced run(s) ${failed.status}`);
      return rows.length === 1 && rows[0]!.status === "delivered" ? Number(rows[0]!.n) : null;
    },
    120_000,
    500,
  );
  check(delivered === scheduleIds.length, `${delivered} of ${scheduleIds.length} raced runs delivered`);
  const deliveryJobs = await context.db.query<{ scheduledReportId: string; jobs: string }>(`SELECT "scheduledReportId", count(*)::text AS jobs FROM "ExportJob" WHERE "scheduledReportId" = ANY($1) AND kind = 'delivery' GROUP BY "scheduledReportId"`, [scheduleIds]);
  for (const id of scheduleIds) {
    const row = deliveryJobs.rows.find((entry) => entry.scheduledReportId === id);
    check(row?.jobs === "1", `schedule ${id}: ${row?.jobs ?? 0} delivery job(s), expected exactly 1`);
  }
  const objects = await listKeys(context, context.bucket.deliveriesPrefix);
  check(objects.length === scheduleIds.length, `the delivery prefix holds ${objects.length} object(s) for ${scheduleIds.length} runs`);
  context.log(`scheduler race: ${delivered} runs delivered, ${objects.length} objects under ${context.bucket.deliveriesPrefix}`);
}

export type TStopResult = {
  instance: string;
  exitCode: number | null;
  inFlightAtSignal: number;
  acceptedBeforeSignal: number;
  failedBeforeSignal: number;
  refusedAfterSignal: number;
  stoppedAfterMs: number;
};

/**
 * SIGTERM to one web instance (its `npm start`) while the load runs: every request it accepted
 * completes (0 errors among requests started before the signal), new connections are refused and
 * go to the other instance, and the process exits 0 within its grace period.
 */
export async function stopInstanceUnderLoad(context: TContext, target: TWebInstance, phase: TPhase, graceMs: number): Promise<TStopResult> {
  const { load, log } = context;
  const state = load.instances.find((instance) => instance.name === target.name)!;
  let signalledAt = 0;
  let stoppedAfterMs = 0;
  let exitCode: number | null = null;
  await load.run(phase, async () => {
    await new Promise((resolve) => setTimeout(resolve, phase.durationMs / 3));
    // Signalled with requests under way on it, so there is something to finish.
    await waitFor(`requests in flight on ${target.name}`, async () => load.inFlight(target.name) >= 2, 15_000, 5);
    signalledAt = Date.now();
    state.signalledAt = signalledAt;
    target.child.kill("SIGTERM");
    const exit = await Promise.race([target.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), graceMs + 20_000))]);
    check(exit, `${target.name} did not exit within ${(graceMs + 20_000) / 1000} s of SIGTERM`);
    stoppedAfterMs = Date.now() - signalledAt;
    exitCode = exit.code;
  });
  check(exitCode === 0, `${target.name} exited with ${exitCode} after SIGTERM, expected 0`);
  const onTarget = load.samples.filter((sample) => sample.phase === phase.name && sample.instance === target.name);
  const before = onTarget.filter((sample) => sample.startedAt < signalledAt);
  const failedBefore = before.filter((sample) => sample.outcome !== "ok");
  const inFlightAtSignal = before.filter((sample) => sample.endedAt >= signalledAt).length;
  const refused = onTarget.filter((sample) => sample.outcome === "refused").length;
  const stopped = /web: stopped.*"unfinishedRequests":(\d+)/.exec(target.output());
  check(failedBefore.length === 0, `${failedBefore.length} request(s) started before the SIGTERM failed on ${target.name}: ${failedBefore.slice(0, 3).map((sample) => `${sample.op} ${sample.detail}`).join("; ")}`);
  check(inFlightAtSignal > 0, `no request was in flight on ${target.name} at the SIGTERM: nothing was shown`);
  check(stopped?.[1] === "0", `${target.name} did not report stopping with every accepted request finished (${stopped?.[0] ?? "no 'web: stopped' line"})`);
  log(`SIGTERM: ${target.name} exited 0 after ${(stoppedAfterMs / 1000).toFixed(1)} s; ${before.length} requests started before the signal, ${inFlightAtSignal} of them in flight at it, 0 failed; ${refused} new connection(s) refused afterwards and sent to the other instance`);

  return { instance: target.name, exitCode, inFlightAtSignal, acceptedBeforeSignal: before.length, failedBeforeSignal: failedBefore.length, refusedAfterSignal: refused, stoppedAfterMs };
}
