// npm run bench:batch -- [--patients 50] [--format json|pdf]   (one size per process; run it for each size)
// Run with NODE_OPTIONS=--expose-gc, so the heap is sampled after a full GC (retained memory, not
// garbage waiting for the collector).
//
// The memory of a batch report job against its number of patients: for one size, a scratch
// SQLite database with that many report patients (lib/reports/testing/seed-report-patient), one
// practice-wide batch (a ZIP of per-patient files) queued through createBatchReportExport and run
// by the real job runner into encrypted local storage, the heap sampled every 100 ms while it runs.
// A streamed ZIP keeps the peak flat in the number of patients; a buffered one grows with it.
// A benchmark, not a test: record the figures in BENCHMARKS.md.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

function flag(name: string, fallback: string) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

const PATIENTS = Number(flag("patients", "50"));
const FORMAT = flag("format", "json");
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function runOnce(patients: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "careexport-bench-batch-"));
  Object.assign(process.env, {
    DATA_DIR: dir,
    STORAGE_DIR: path.join(dir, "files"),
    JOB_RUNNER: "off",
    DATABASE_URL: `file:${path.join(dir, "bench.db")}`,
    ANON_KEY: "bench-anon-key-0123456789abcdef",
    FILE_ENCRYPTION_KEY: "bench-file-key-0123456789abcdef",
    LINK_SIGNING_KEY: "bench-link-key-0123456789abcdef",
    AUDIT_KEY: "bench-audit-key-0123456789abcdef",
    NEXTAUTH_SECRET: "bench-nextauth-secret-0123456789",
  });
  const { resetEnvCache } = await import("@/lib/env");
  resetEnvCache();
  const { migrateDatabase } = await import("@/lib/db/migrate");
  await migrateDatabase(process.env.DATABASE_URL!);
  const { disconnectPrisma, prisma } = await import("@/lib/db/client");
  const { seedReportPatient } = await import("@/lib/reports/testing/seed-report-patient");
  const { createBatchReportExport } = await import("@/lib/reports/batch-create-report-export");
  const { drainJobs } = await import("@/lib/jobs/runner");
  try {
    const admin = await prisma.user.create({ data: { email: "bench-admin@bench.local", name: "Bench Admin", role: "ADMIN", passwordHash: "x" } });
    for (let n = 0; n < patients; n++) await seedReportPatient();
    const actor = { id: admin.id, email: admin.email, name: admin.name, role: "ADMIN" as const, piiAccess: false };
    const queued = await createBatchReportExport(actor, { export_type: "progress_report", scope: "practice", format: FORMAT, start_date: "2026-01-01", end_date: "2026-03-31" });

    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peakHeap = baseline;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      gc();
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const started = performance.now();
    const outcomes = await drainJobs();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: queued.job_id }, select: { status: true, fileSize: true } });
    console.log(
      `${String(patients).padStart(5)} patients (${FORMAT}): ${outcomes.join(",")} ${job.status} in ${seconds.toFixed(1)} s, file ${mb(job.fileSize ?? 0)}; ` +
        `heap after GC: baseline ${mb(baseline)}, peak ${mb(peakHeap)} (+${mb(peakHeap - baseline)}); peak RSS ${mb(peakRss)}`,
    );
  } finally {
    await disconnectPrisma();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((n) => n.toFixed(2)).join(" ")}${(globalThis as { gc?: unknown }).gc ? ", gc exposed" : " (run with NODE_OPTIONS=--expose-gc)"}`);
  await runOnce(PATIENTS);
  const { closeComputePool } = await import("@/lib/compute/run-compute-task");
  await closeComputePool();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
