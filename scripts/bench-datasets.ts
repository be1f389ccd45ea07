// npm run bench:datasets -- --rows 1000000 [--db sqlite|pg] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] [--batch N]
//   [--keep] [--existing URL] [--patients N] [--tier anon|pii] [--trace-memory]
// --patients sets how many patients the rows belong to (default: one per 50 rows, at most 20,000),
// so memory can be compared across row counts with the same patients.
// --keep leaves the filled scratch database in place and prints its URL; --existing URL measures
// against such a database instead of filling a new one (--rows must match its fill), so a change
// can be measured again without the minutes of the fill.
// --tier pii exports the same rows identified (encounters + qr_phq9_pii: no masking, no release
// scan) through the same job: what the export path costs before any de-identification.
//
// Fills a scratch database (temp SQLite file, or a scratch PostgreSQL database dropped at the
// end) with synthetic patients, encounters and PHQ-9 responses, then times:
//   1. the real anon export (createDatasetExport -> job -> CSV -> ZIP -> encrypted storage ->
//      release scan) of encounters + qr_phq9_anon, with peak RSS sampled throughout;
//   2. the database's own bulk CSV dump of the same rows piped into zip
//      (sqlite3 -csv / psql COPY ... TO STDOUT CSV | zip).
// A benchmark, not a test. Record the figures in BENCHMARKS.md.
import { execSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";

import Database from "better-sqlite3";
import pg from "pg";

import { disconnectPrisma, prisma } from "@/lib/db/client";
import { migrateDatabase, sqliteFilePath } from "@/lib/db/migrate";
import { resetEnvCache } from "@/lib/env";

function flag(name: string, fallback: string) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

const ROWS = Number(flag("rows", "100000"));
const DB = flag("db", "sqlite");
const PG_URL = flag("pg-url", "postgresql://postgres@127.0.0.1:5432/postgres");
/** Rows per batch; default: the exporter's own default (DEFAULT_BATCH_SIZE). */
const BATCH = flag("batch", "") ? Number(flag("batch", "")) : null;
const KEEP = process.argv.includes("--keep");
const TRACE_MEMORY = process.argv.includes("--trace-memory");
/** pii: the same rows through the same job, identified (no masking, no release scan): the anon export's cost less its de-identification. */
const TIER = flag("tier", "anon");
if (TIER !== "anon" && TIER !== "pii") throw new Error("--tier must be anon or pii");
const EXISTING = flag("existing", "");
const PATIENTS = flag("patients", "") ? Number(flag("patients", "")) : Math.max(10, Math.min(20_000, Math.floor(ROWS / 50)));
/** A day of 1930-2009, spread over all of them (a multiplicative hash of n). */
const syntheticBirthDate = (n: number) => new Date(Date.UTC(1930, 0, 1) + ((Math.imul(n + 1, 0x9e3779b1) >>> 0) % 29_220) * 86_400_000).toISOString().slice(0, 10);
const id = (prefix: string, n: number) => `${prefix}${n.toString(36).padStart(8, "0")}`;

type TTableRows = { table: string; columns: string[]; rows: Generator<unknown[][]> };

function* batches(count: number, make: (n: number) => unknown[]) {
  let batch: unknown[][] = [];
  for (let n = 0; n < count; n++) {
    batch.push(make(n));
    if (batch.length === 1000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

function synthetic(): TTableRows[] {
  const now = Date.now();
  const start = now - 2 * 365 * 86_400_000;
  const encounters = Math.floor(ROWS / 2);
  const responses = ROWS - encounters;
  const items = JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ linkId: `phq9-${i}`, answer: [{ valueInteger: i % 4 }] })));

  return [
    { table: "Organization", columns: ["id", "fhirId", "name", "raw", "updatedAt"], rows: batches(1, () => ["org1", "org-1", "Bench clinic", "{}", new Date(now).toISOString()]) },
    {
      table: "Patient",
      columns: ["id", "fhirId", "givenName", "familyName", "birthDate", "phone", "email", "addressLine", "postalCode", "mrn", "organizationId", "raw", "updatedAt"],
      // Birth dates and phones spread as a practice's are: the release scan searches every one of them.
      rows: batches(PATIENTS, (n) => [id("p", n), `pat-${n}`, `Given${n}x`, `Family${n}y`, syntheticBirthDate(n), `${300 + (Math.floor(n / 10000) % 700)}-555-${String(n % 10000).padStart(4, "0")}`, `p${n}@bench.example`, `${n} Bench Street`, "60601", `MRN-${n}-${randomBytes(2).toString("hex")}`, "org1", "{}", new Date(now).toISOString()]),
    },
    {
      table: "Encounter",
      columns: ["id", "fhirId", "patientId", "organizationId", "status", "deliveryFormat", "cptCode", "startAt", "endAt", "reasonText", "raw", "updatedAt"],
      rows: batches(encounters, (n) => {
        const at = start + Math.floor(Math.random() * (now - start));
        return [id("e", n), `enc-${n}`, id("p", n % PATIENTS), "org1", "finished", n % 3 ? "telehealth" : "in-person", "90834", new Date(at).toISOString(), new Date(at + 45 * 60_000).toISOString(), "follow-up session", "{}", new Date(now).toISOString()];
      }),
    },
    {
      table: "QuestionnaireResponse",
      columns: ["id", "fhirId", "patientId", "questionnaire", "status", "authoredAt", "totalScore", "severity", "items", "raw", "updatedAt"],
      rows: batches(responses, (n) => [id("r", n), `qr-${n}`, id("p", n % PATIENTS), "phq-9", "completed", new Date(start + Math.floor(Math.random() * (now - start))).toISOString(), 18, "moderately severe", items, "{}", new Date(now).toISOString()]),
    },
  ];
}

async function fillSqlite(url: string) {
  const db = new Database(sqliteFilePath(url));
  db.pragma("journal_mode = WAL");
  for (const { table, columns, rows } of synthetic()) {
    const insert = db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(",")}) VALUES (${columns.map(() => "?").join(",")})`);
    const many = db.transaction((batch: unknown[][]) => batch.forEach((row) => insert.run(...row)));
    for (const batch of rows) many(batch);
  }
  db.close();
}

async function fillPg(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const { table, columns, rows } of synthetic()) {
    for (const batch of rows) {
      const values: unknown[] = [];
      const tuples = batch.map((row) => `(${row.map((value) => (values.push(value), `$${values.length}`)).join(",")})`);
      await client.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(",")}) VALUES ${tuples.join(",")}`, values);
    }
  }
  await client.end();
}

/**
 * The fill runs in a child process: its row generation and inserts would otherwise sit in the
 * measured process's heap and RSS (RSS never shrinks back), and the export would be charged for them.
 */
function fillInChild(url: string) {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, "--fill-only", url, "--rows", String(ROWS), "--patients", String(PATIENTS), "--db", DB], { stdio: "inherit" });
  if (child.status !== 0) throw new Error(`fill failed (${child.status})`);
}

/** Linux: the process's anonymous (not file-backed) resident memory, the part the export can grow. */
function anonymousMemory() {
  try {
    const line = readFileSync("/proc/self/smaps_rollup", "utf8").split("\n").find((text) => text.startsWith("Anonymous:"));
    return line ? `anonymous=${Math.round(Number(line.replace(/\D/g, "")) / 1024)} ` : "";
  } catch {
    return "";
  }
}

async function timeExport() {
  const datasets = TIER === "pii" ? ["encounters", "qr_phq9_pii"] : ["encounters", "qr_phq9_anon"];
  const { createDatasetExport } = await import("@/lib/datasets/create-dataset-export");
  const { drainJobs } = await import("@/lib/jobs/runner");
  const admin = await prisma.user.create({ data: { email: `bench-${randomBytes(3).toString("hex")}@bench.example`, name: "Bench", role: "ADMIN" } });
  const rssBeforeMb = Math.round(process.memoryUsage().rss / 1048576);
  let peak = process.memoryUsage().rss;
  let peakHeap = 0;
  let peakExternal = 0;
  let jobId: string | null = null;
  let lastTrace = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    const newPeak = usage.rss > peak + 2 * 1048576;
    peak = Math.max(peak, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
    peakExternal = Math.max(peakExternal, usage.external);
    // --trace-memory: a line a second with the job's stage, to see which stage makes the peak.
    if (TRACE_MEMORY && jobId && (newPeak || performance.now() - lastTrace >= 1000)) {
      lastTrace = performance.now();
      const mb = (bytes: number) => Math.round(bytes / 1048576);
      void prisma.exportJob.findUnique({ where: { id: jobId }, select: { progress: true } }).then((row) => {
        const stage = (row?.progress as { stage?: string } | null)?.stage ?? "";
        console.error(`t=${((performance.now() - started) / 1000).toFixed(1)}s rss=${mb(usage.rss)} heap=${mb(usage.heapUsed)}/${mb(usage.heapTotal)} external=${mb(usage.external)} arrayBuffers=${mb(usage.arrayBuffers)} ${anonymousMemory()}${stage}`);
      });
    }
  }, 100);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const job = await createDatasetExport({ id: admin.id, email: admin.email, name: admin.name, role: "ADMIN", piiAccess: false }, { tier: TIER, datasets, ...(TIER === "pii" ? { reason: "benchmark run" } : {}) }, { skipRateLimit: true });
  jobId = job.job_id;
  await prisma.exportJob.update({ where: { id: job.job_id }, data: { parameters: { tier: TIER, datasets, profile: TIER === "pii" ? null : "safe-harbor", since: null, ...(BATCH ? { batchSize: BATCH } : {}) } } });
  await drainJobs();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  const finished = await prisma.exportJob.findUniqueOrThrow({ where: { id: job.job_id } });
  if (finished.status !== "COMPLETED") throw new Error(`export ${finished.status}: ${finished.errorMessage}`);

  // The partitioned path (DATASET_EXPORT_PARTITIONS=on): each partition's time in its worker.
  const { lastPartitionedExport } = await import("@/lib/datasets/dataset-job.handler");
  const scannerBuildMs = Math.round(lastPartitionedExport.scannerBuildMs);
  const partitions = lastPartitionedExport.partitions.map((timing) => ({ dataset: timing.dataset, index: timing.index, rows: timing.rows, mb: +(timing.bytes / 1048576).toFixed(1), total: Math.round(timing.ms.total), write: Math.round(timing.ms.write), scan: Math.round(timing.ms.scan), deflate: Math.round(timing.ms.deflate) }));

  return { scannerBuildMs, partitions, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb: Math.round(peak / 1048576), rssBeforeMb, peakHeapUsedMb: Math.round(peakHeap / 1048576), peakExternalMb: Math.round(peakExternal / 1048576), bytes: finished.fileSize };
}

/** Wall time, and the CPU time of the dump's processes (bash `times`: children's user and system). */
function timeDump(command: string) {
  const started = performance.now();
  const out = execSync(`${command} >/dev/null; times`, { stdio: ["ignore", "pipe", "inherit"], shell: "/bin/bash" }).toString();
  const seconds = (performance.now() - started) / 1000;
  const [user, system] = (out.trim().split("\n")[1] ?? "").split(/\s+/).map((part) => {
    const match = /^(\d+)m([\d.]+)s$/.exec(part);
    return match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  });
  return { seconds, cpuSeconds: (user ?? NaN) + (system ?? NaN) };
}

async function main() {
  const fillOnly = process.argv.indexOf("--fill-only");
  if (fillOnly >= 0) {
    const url = process.argv[fillOnly + 1]!;
    await (DB === "pg" ? fillPg(url) : fillSqlite(url));
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-bench-"));
  process.env.DATA_DIR = dir;
  process.env.STORAGE_DIR = path.join(dir, "files");
  process.env.JOB_RUNNER = "off";
  let url: string;
  let dropPg: (() => Promise<void>) | null = null;
  if (EXISTING) {
    url = EXISTING;
  } else if (DB === "pg") {
    const name = `careexport_bench_${randomBytes(3).toString("hex")}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const target = new URL(PG_URL);
    target.pathname = `/${name}`;
    url = target.toString();
    dropPg = async () => {
      if (!KEEP) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    };
  } else {
    // A kept SQLite database lives outside the temp dir removed at the end.
    url = `file:${path.join(KEEP ? mkdtempSync(path.join(tmpdir(), "careexport-bench-keep-")) : dir, "bench.db")}`;
  }
  process.env.DATABASE_URL = url;
  resetEnvCache();
  try {
    if (!EXISTING) {
      await migrateDatabase(url);
      const fillStarted = performance.now();
      fillInChild(url);
      console.log(`filled ${ROWS} rows (${PATIENTS} patients) on ${DB} in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);
      if (KEEP) console.log(`kept: --existing ${url}`);
    }

    const loadBefore = loadavg().map((value) => +value.toFixed(2));
    const ours = await timeExport();
    const loadAfterExport = loadavg().map((value) => +value.toFixed(2));
    const zipOut = path.join(dir, "dump.zip");
    const queries = ['SELECT * FROM "Encounter"', 'SELECT * FROM "QuestionnaireResponse"'];
    const dump =
      DB === "pg"
        ? timeDump(`(${queries.map((q) => `psql "${url.replace(/\?.*$/, "")}" -c 'COPY (${q.replace(/'/g, "'\\''")}) TO STDOUT CSV HEADER'`).join("; ")}) | zip -q -6 ${zipOut} -`)
        : timeDump(`(${queries.map((q) => `sqlite3 -csv -header ${sqliteFilePath(url)} '${q}'`).join("; ")}) | zip -q -6 ${zipOut} -`);

    if (ours.partitions.length) {
      console.log(`release scanner built once in ${ours.scannerBuildMs} ms; partitions (ms in the worker: total = write + scan + deflate):`);
      for (const partition of ours.partitions) console.log(JSON.stringify(partition));
      const work = ours.partitions.reduce((sum, partition) => sum + (partition.total ?? 0), 0) / 1000;
      console.log(`sum of partition times: ${work.toFixed(2)} s over ${ours.partitions.length} partitions`);
    }
    const { env } = await import("@/lib/env");
    console.log(JSON.stringify({ partitionsSetting: env().DATASET_EXPORT_PARTITIONS, partitionRows: env().DATASET_PARTITION_ROWS, computeWorkers: env().COMPUTE_WORKERS ?? "default" }));
    console.log(JSON.stringify({ db: DB, rows: ROWS, loadAverage: { beforeExport: loadBefore, afterExport: loadAfterExport, afterDump: loadavg().map((value) => +value.toFixed(2)) }, ours: { seconds: +ours.seconds.toFixed(2), cpuSeconds: +ours.cpuSeconds.toFixed(2), rowsPerSecond: Math.round(ROWS / ours.seconds), peakRssMb: ours.peakRssMb, rssBeforeExportMb: ours.rssBeforeMb, peakHeapUsedMb: ours.peakHeapUsedMb, peakExternalMb: ours.peakExternalMb, zipBytes: ours.bytes }, dbDump: { seconds: +dump.seconds.toFixed(2), cpuSeconds: +dump.cpuSeconds.toFixed(2) }, ratio: +(ours.seconds / dump.seconds).toFixed(2), cpuRatio: +(ours.cpuSeconds / dump.cpuSeconds).toFixed(2) }, null, 2));
  } finally {
    await disconnectPrisma();
    if (dropPg) await dropPg();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
