// npm run bench:responsiveness -- [--paragraphs 20000] [--interval 50] [--format pdf|docx] [--with-export URL]
// How long GET /api/health takes while a huge template preview renders (issue 20: an admin's
// template with 20,000 paragraphs, previewed as PDF, held the server for 7-8 s). In one run:
//   1. the old path as reference: Liquid and layout on this thread (validateTemplateContent,
//      renderTemplateHtml, renderDocument), as the preview route did before the compute pool;
//   2. the preview's path now: the same work in the compute pool (renderTemplateDocumentInPool,
//      COMPUTE_WORKERS workers, the pool warmed first as in a running server).
//   3. with --with-export URL (a SQLite database filled by `npm run bench:datasets -- --rows 1000000
//      --keep`; use a copy, the run adds a job): the pool preview and, at the same time, that
//      database's anon dataset export run by the job runner in this process, as in a server with
//      JOB_RUNNER=inline (issue 20: "while a 600-page PDF preview and a 1M-row export run").
// Meanwhile the real health route handler is called every --interval ms on a scratch SQLite
// database (or the --with-export one); p50 / p99 / max of its latency and the work's own time are printed.
// A benchmark, not a test: record the figures in BENCHMARKS.md.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";

import { disconnectPrisma } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { resetEnvCache } from "@/lib/env";

function flag(name: string, fallback: string) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

const PARAGRAPHS = Number(flag("paragraphs", "20000"));
const INTERVAL_MS = Number(flag("interval", "50"));
const FORMAT = flag("format", "pdf") as "pdf" | "docx";
const EXPORT_DB = flag("with-export", "");

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-bench-responsiveness-"));
  Object.assign(process.env, { DATA_DIR: dir, STORAGE_DIR: path.join(dir, "files"), JOB_RUNNER: "off", DATABASE_URL: EXPORT_DB || `file:${path.join(dir, "bench.db")}` });
  resetEnvCache();
  await migrateDatabase(process.env.DATABASE_URL!);

  const [{ GET: health }, { renderTemplateHtml, validateTemplateContent }, { renderDocument }, { renderTemplateDocumentInPool }, { sampleReportContext }, { closeComputePool, computePool }] = await Promise.all([
    import("@/app/api/health/route"),
    import("@/lib/templates/liquid"),
    import("@/lib/render/render-document"),
    import("@/lib/render/render-document-in-pool"),
    import("@/lib/templates/sample-context"),
    import("@/lib/compute/run-compute-task"),
  ]);
  const content = `<h1>Long</h1>{% for i in (1..${PARAGRAPHS}) %}<p>Paragraph {{ i }} for {{ patient.name }}: lorem ipsum dolor sit amet, consectetur.</p>{% endfor %}`;
  const context = sampleReportContext("progress_report");

  /** Health checks every INTERVAL_MS until `work` settles; their latencies and the work's own time. */
  async function measure(label: string, work: () => Promise<Buffer>) {
    const latencies: number[] = [];
    let isDone = false;
    const t0 = performance.now();
    // Started on the next turn, so the first health check is already waiting when work begins.
    const running = new Promise<Buffer>((resolve, reject) => setTimeout(() => work().then(resolve, reject), 0)).finally(() => {
      isDone = true;
    });
    while (!isDone) {
      const started = performance.now();
      const response = await health(new Request("http://127.0.0.1/api/health"), { params: Promise.resolve({}) });
      if (response.status !== 200) throw new Error(`health answered ${response.status}`);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
    const body = await running;
    const elapsed = performance.now() - t0;
    const sorted = [...latencies].sort((a, b) => a - b);
    const pages = FORMAT === "pdf" ? (body.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length : null;
    console.log(
      `${label.padEnd(44)} preview ${(elapsed / 1000).toFixed(1)} s${pages ? ` (${pages} pages)` : ""}; /api/health x${latencies.length}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
    );
  }

  console.log(`bench:responsiveness — ${PARAGRAPHS} paragraphs as ${FORMAT.toUpperCase()}, health every ${INTERVAL_MS} ms; node ${process.version}, ${availableParallelism()} cores, COMPUTE_WORKERS ${computePool().workers}, load average ${loadavg().map((n) => n.toFixed(2)).join(" ")}`);
  // Warm the pool's worker as a running server's would be, and this thread's renderers alike.
  await renderTemplateDocumentInPool("<p>warm {{ patient.name }}</p>", context, FORMAT, { title: "warm" });
  await renderDocument(await renderTemplateHtml("<p>warm</p>", context), FORMAT, { title: "warm" });

  await measure("on the request thread (before, reference)", async () => {
    const validation = await validateTemplateContent(content, "progress_report");
    if (!validation.ok) throw new Error(`template invalid: ${JSON.stringify(validation.issues)}`);
    return renderDocument(await renderTemplateHtml(content, context), FORMAT, { title: "preview" });
  });
  await measure("in the compute pool (now)", () => renderTemplateDocumentInPool(content, context, FORMAT, { title: "preview", validateAs: "progress_report" }, { timeoutMs: 3_600_000 }));
  if (EXPORT_DB) {
    const [{ createDatasetExport }, { drainJobs }, { prisma }] = await Promise.all([import("@/lib/datasets/create-dataset-export"), import("@/lib/jobs/runner"), import("@/lib/db/client")]);
    const admin = await prisma.user.create({ data: { email: `bench-${Date.now()}@bench.example`, name: "Bench", role: "ADMIN" } });
    await measure("in the pool, beside a dataset export", async () => {
      const exportStarted = performance.now();
      const job = await createDatasetExport({ id: admin.id, email: admin.email, name: admin.name, role: "ADMIN", piiAccess: false }, { tier: "anon", datasets: ["encounters", "qr_phq9_anon"] }, { skipRateLimit: true });
      const exported = drainJobs().then(async () => {
        const finished = await prisma.exportJob.findUniqueOrThrow({ where: { id: job.job_id } });
        if (finished.status !== "COMPLETED") throw new Error(`export ${finished.status}: ${finished.errorMessage}`);
        console.log(`  the export: ${((performance.now() - exportStarted) / 1000).toFixed(1)} s, ${finished.fileSize} bytes`);
      });
      const [body] = await Promise.all([renderTemplateDocumentInPool(content, context, FORMAT, { title: "preview", validateAs: "progress_report" }, { timeoutMs: 3_600_000 }), exported]);
      return body;
    });
  }

  await closeComputePool();
  await disconnectPrisma();
  rmSync(dir, { recursive: true, force: true });
}

main().catch(async (error) => {
  console.error(error);
  await disconnectPrisma().catch(() => undefined);
  process.exit(1);
});
