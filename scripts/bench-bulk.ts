// npm run bench:bulk -- --existing URL [--db sqlite|pg] [--patients 10000] [--resources 1000000] [--level system]
// Measures a de-identified Bulk Data system export (an analyst's: the REST API's masked views, the
// release scan of every file) of a database filled by `npm run bench:fhir -- --keep` (same --patients
// and --resources), run by the real job handler: resources/s, time to manifest, peak RSS (sampled).
// The reference, in the same run: the database's own dump of the stored raw JSON of the same tables
// (`sqlite3` / `psql COPY` of the raw column to a file). A benchmark, not a test: record the figures
// in BENCHMARKS.md.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";

import { closeComputePool } from "@/lib/compute/run-compute-task";
import { disconnectPrisma, prisma } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";

const flag = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
};
const DB = flag("db", "sqlite");
const URL_ = flag("existing", "");
const RESOURCES = Number(flag("resources", "1000000"));
const TABLES = ["Patient", "Encounter", "Observation"];

function referenceDump(url: string, out: string) {
  const started = performance.now();
  if (DB === "pg") {
    for (const table of TABLES) execFileSync("sh", ["-c", `psql "$1" -q -c "COPY (SELECT raw FROM \\"${table}\\") TO STDOUT" >> "$2"`, "sh", url, out]);
  } else {
    const file = url.replace(/^file:/, "");
    for (const table of TABLES) execFileSync("sh", ["-c", `sqlite3 "$1" 'SELECT raw FROM "${table}"' >> "$2"`, "sh", file, out]);
  }

  return (performance.now() - started) / 1000;
}

async function main() {
  if (!URL_) throw new Error("give --existing URL: a database filled by npm run bench:fhir -- --keep");
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-bench-bulk-"));
  Object.assign(process.env, { DATABASE_URL: URL_, DATA_DIR: dir, JOB_RUNNER: "off" });
  resetEnvCache();
  const { kickOffBulkExport } = await import("@/lib/fhir/bulk/kick-off-bulk-export");
  const { drainJobs } = await import("@/lib/jobs/runner");
  const { readBulkManifestFile } = await import("@/lib/fhir/bulk/bulk-export-status");
  try {
    await prisma.setting.upsert({ where: { key: "dataset_exports_per_hour" }, create: { key: "dataset_exports_per_hour", value: 100 }, update: { value: 100 } });
    const analyst = await prisma.user.create({ data: { email: `bench-bulk-${Date.now()}@bench.local`, name: "Bench analyst", role: "ANALYST" } });
    const caller = { actor: { id: analyst.id, email: analyst.email, name: analyst.name, role: analyst.role, piiAccess: false }, scopes: null, clientId: null };
    const base = "http://127.0.0.1/api/fhir";
    const request = new Request(`${base}/$export?_type=${TABLES.join(",")}`, { headers: { accept: "application/fhir+json", prefer: "respond-async" } });
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    let peakHeap = 0;
    let peakExternal = 0;
    const sampler = setInterval(() => {
      const memory = process.memoryUsage();
      peak = Math.max(peak, memory.rss);
      peakHeap = Math.max(peakHeap, memory.heapUsed);
      peakExternal = Math.max(peakExternal, memory.external + memory.arrayBuffers);
    }, 100);
    const loadBefore = loadavg().map((value) => +value.toFixed(2));
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const { jobId } = await kickOffBulkExport({ caller, request, level: "system", groupId: null, baseUrl: base, meta: { via: "bench" } });
    const outcomes = await drainJobs();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    clearInterval(sampler);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    if (job.status !== "COMPLETED") throw new Error(`the export ended ${job.status}: ${job.errorMessage} (${outcomes.join(",")})`);
    const manifest = await readBulkManifestFile(job);
    const resources = (manifest?.files ?? []).reduce((sum, file) => sum + file.count, 0);

    const out = path.join(dir, "reference.jsonl");
    const dumpSeconds = referenceDump(URL_, out);
    const result = {
      db: DB,
      resources,
      expected: RESOURCES,
      files: manifest?.files.length,
      ours: { secondsToManifest: +seconds.toFixed(1), resourcesPerSecond: Math.round(resources / seconds), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1), rssBeforeMb: Math.round(rssBefore / 1048576), peakRssMb: Math.round(peak / 1048576), peakHeapMb: Math.round(peakHeap / 1048576), peakExternalMb: Math.round(peakExternal / 1048576) },
      reference: { seconds: +dumpSeconds.toFixed(1), bytes: statSync(out).size },
      ratio: +(seconds / dumpSeconds).toFixed(2),
      load: { before: loadBefore, after: loadavg().map((value) => +value.toFixed(2)) },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await closeComputePool();
    await disconnectPrisma();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
