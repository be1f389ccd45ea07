// npm run bench:reports -- [--docs 200] [--warmup 10] [--format pdf|docx] [--no-chromium] [--no-pool] [--pool-only]
//   [--pool-workers 1,2] [--save-html file] [--save-pdf file] [--save-docx file]
// For the memory line run with NODE_OPTIONS=--expose-gc: the heap is then sampled after a full GC,
// so growth means retained memory, not garbage waiting for the collector.
// NODE_ENV decides which React build react-pdf runs on (development when unset, as in tests;
// production as deployed): run both, `NODE_ENV=production npm run bench:reports`. The header line
// prints it, and each route prints its CPU time per document beside the wall time (the machine is
// shared: wall time includes waiting for a core, CPU time does not).
//
// Renders N progress reports of one realistic patient (12 goals, 40 sessions with notes,
// 8 assessments; about 5 pages) through the whole production pipeline, per document:
//   context (buildReportContext: the real queries on a scratch SQLite database) -> system
//   template (resolveTemplateForExport) -> Liquid (renderTemplateHtml) -> document tree ->
//   writer (renderDocument: @react-pdf/renderer / docx).
// Beside it, in the same run, a warm headless Chromium (Debian's /usr/bin/chromium via
// playwright-core, one page reused) prints the same rendered HTML to PDF.
// Then the PDF and Chromium routes again, interleaved document by document, for their ratio.
// Pool mode (lib/compute, as report jobs run): contexts built on this thread, Liquid and layout in
// a compute pool of 1 worker, then of 2 (--pool-workers), two documents in flight per worker;
// documents per minute and the speed-up over 1 worker. --pool-only runs only this part.
// Prints p50/p95 per document, documents per minute and RSS. A benchmark, not a test:
// record the figures in BENCHMARKS.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { chromium } from "playwright-core";

import { disconnectPrisma, prisma } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { resetEnvCache } from "@/lib/env";

function flag(name: string, fallback: string) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

const DOCS = Number(flag("docs", "200"));
const WARMUP = Number(flag("warmup", "10"));
const POOL_ONLY = process.argv.includes("--pool-only");
const WITH_POOL = !process.argv.includes("--no-pool");
const WITH_CHROMIUM = !process.argv.includes("--no-chromium") && !POOL_ONLY;
const POOL_WORKERS = flag("pool-workers", "1,2").split(",").map(Number);
/** --format pdf or docx: only that writer (e.g. a long memory run). */
const FORMATS = (["pdf", "docx"] as const).filter((format) => flag("format", format) === format);
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const PERIOD = { start: "2025-04-01", end: "2026-03-31" };

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rss = () => process.memoryUsage().rss;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const pageCount = (pdf: Buffer) => (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;

function stats(label: string, times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const total = times.reduce((sum, t) => sum + t, 0);
  return { label, p50: percentile(sorted, 50), p95: percentile(sorted, 95), perMinute: (times.length / total) * 60_000 };
}

const SENTENCES = [
  "Client reports sleeping six to seven hours most nights and getting up at a regular time.",
  "Completed two of three planned activities this week, including a walk with a neighbour.",
  "Describes ongoing worry about work deadlines, rated 6/10 at its worst, down from 8/10.",
  "Practised thought records twice; identified all-or-nothing thinking around performance reviews.",
  "Affect brighter than last session; speech normal rate and volume; no safety concerns raised.",
  "Reviewed the relapse-prevention plan and early warning signs; client added two coping strategies.",
  "Continue weekly CBT; behavioural activation schedule for the coming week agreed in session.",
];
const sentence = (n: number, count: number) => Array.from({ length: count }, (_, i) => SENTENCES[(n + i) % SENTENCES.length]).join(" ");

/** One realistic patient: 2 diagnoses, a plan, 12 goals, 40 sessions with SOAP notes, 8 assessments. */
async function seedPatient() {
  const user = await prisma.user.create({ data: { email: "bench.therapist@example.org", name: "Dr. Bench Therapist", role: "THERAPIST", credentials: "PhD, LP", npi: "1234567893" } });
  const patient = await prisma.patient.create({
    data: {
      fhirId: "bench-patient", givenName: "Alexandra", familyName: "Benchmark", birthDate: "1984-09-21", gender: "female", mrn: "MRN-BENCH-0001",
      insurancePayer: "Acme Health", insuranceMemberId: "ACM123456789", phone: "555-300-4000", email: "alex@example.org",
      addressLine: "42 Harbour Road", city: "Springfield", state: "MA", postalCode: "01103", raw: {},
    },
  });
  await prisma.patientAssignment.create({ data: { userId: user.id, patientId: patient.id } });
  await prisma.condition.create({ data: { fhirId: "bench-c1", patientId: patient.id, icd10Code: "F33.1", display: "Major depressive disorder, recurrent, moderate", clinicalStatus: "active", onsetDate: "2024-11-02", raw: {} } });
  await prisma.condition.create({ data: { fhirId: "bench-c2", patientId: patient.id, icd10Code: "F41.1", display: "Generalized anxiety disorder", clinicalStatus: "active", onsetDate: "2025-01-15", raw: {} } });
  const plan = await prisma.treatmentPlan.create({
    data: {
      fhirId: "bench-tp", patientId: patient.id, title: "Depression and anxiety treatment plan", description: "Weekly individual CBT with behavioural activation and worry management.",
      status: "active", startDate: "2025-04-01", interventions: ["Cognitive behavioural therapy", "Behavioural activation", "Worry exposure", "Sleep hygiene", "Relapse prevention"], raw: {},
    },
  });
  const goals = [
    "Reduce depressive symptoms to the mild range", "Reduce generalised anxiety symptoms", "Sleep at least seven hours on five nights a week",
    "Return to three social activities a week", "Use a thought record when distressed", "Exercise for 30 minutes three times a week",
    "Reduce time spent worrying to under an hour a day", "Resume full working hours", "Re-establish a regular daily routine",
    "Reconnect with two friends", "Practise relaxation daily", "Develop a written relapse-prevention plan",
  ];
  for (const [n, description] of goals.entries()) {
    await prisma.goal.create({
      data: {
        fhirId: `bench-g${n}`, patientId: patient.id, treatmentPlanId: plan.id, description, measure: n % 2 ? "GAD-7" : "PHQ-9",
        baselineValue: 18 - (n % 5), targetValue: 5, currentValue: 9 + (n % 4), progressPercent: 40 + n * 4.5, lifecycleStatus: "active", achievementStatus: n % 3 ? "improving" : "in-progress", raw: {},
      },
    });
  }
  const start = Date.parse(`${PERIOD.start}T14:00:00Z`);
  for (let n = 0; n < 40; n++) {
    const startAt = new Date(start + n * 8 * 86_400_000);
    const encounter = await prisma.encounter.create({
      data: {
        fhirId: `bench-e${n}`, patientId: patient.id, status: "finished", deliveryFormat: n % 3 ? "in-person" : "telehealth", cptCode: n === 0 ? "90791" : "90837",
        cptDisplay: n === 0 ? "Psychiatric diagnostic evaluation" : "Psychotherapy, 60 minutes", units: 1, startAt, endAt: new Date(startAt.getTime() + 3_300_000),
        reasonText: n === 0 ? "Low mood, worry and poor sleep for six months" : null, raw: {},
      },
    });
    await prisma.sessionNote.create({
      data: {
        fhirId: `bench-n${n}`, patientId: patient.id, encounterId: encounter.id, noteDate: startAt, status: "final",
        subjective: sentence(n, 3), objective: sentence(n + 4, 1), assessment: sentence(n + 2, 1), plan: sentence(n + 6, 1),
        transcript: "Therapist: How has this week been?\nClient: Better than last week.", aiNotes: "Auto-summary: improving.", actionItems: ["Thought record", "Walk"], raw: {},
      },
    });
  }
  for (let n = 0; n < 8; n++) {
    const questionnaire = n % 2 ? "gad-7" : "phq-9";
    const score = questionnaire === "phq-9" ? 18 - n * 2 : 15 - n;
    await prisma.questionnaireResponse.create({
      data: { fhirId: `bench-q${n}`, patientId: patient.id, questionnaire, status: "completed", authoredAt: new Date(start + n * 45 * 86_400_000 + 1_800_000), totalScore: score, severity: score >= 15 ? "moderately severe" : score >= 10 ? "moderate" : "mild", items: [], raw: {} },
    });
  }

  return { userId: user.id, patientId: patient.id };
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-bench-reports-"));
  process.env.DATA_DIR = dir;
  process.env.STORAGE_DIR = path.join(dir, "files");
  process.env.JOB_RUNNER = "off";
  process.env.DATABASE_URL = `file:${path.join(dir, "bench.db")}`;
  resetEnvCache();
  await migrateDatabase(process.env.DATABASE_URL);
  const { userId, patientId } = await seedPatient();

  const [{ buildReportContext }, { parseReportRequest }, { resolveTemplateForExport }, { renderTemplateHtml }, { renderDocument }] = await Promise.all([
    import("@/lib/reports/build-report-context"),
    import("@/lib/reports/report-requests"),
    import("@/lib/templates/template-service"),
    import("@/lib/templates/liquid"),
    import("@/lib/render/render-document"),
  ]);
  const requestFor = (format: "pdf" | "docx") => parseReportRequest("progress_report", { patient_id: patientId, start_date: PERIOD.start, end_date: PERIOD.end, format });

  /** The handler's path for one document, with the time of each stage. */
  async function renderOne(format: "pdf" | "docx") {
    const t0 = performance.now();
    const context = await buildReportContext(requestFor(format), { userId });
    const t1 = performance.now();
    const template = await resolveTemplateForExport("progress_report", format);
    const html = await renderTemplateHtml(template.content, context);
    const t2 = performance.now();
    const body = await renderDocument(html, format, { title: "Progress report" });
    const t3 = performance.now();
    return { body, html, total: t3 - t0, context: t1 - t0, liquid: t2 - t1, writer: t3 - t2 };
  }

  const first = await renderOne("pdf");
  const pages = pageCount(first.body);
  const docx = await renderOne("docx");
  const saveHtml = flag("save-html", "");
  if (saveHtml) (await import("node:fs")).writeFileSync(saveHtml, first.html);
  const savePdf = flag("save-pdf", "");
  if (savePdf) (await import("node:fs")).writeFileSync(savePdf, first.body);
  const saveDocx = flag("save-docx", "");
  if (saveDocx) (await import("node:fs")).writeFileSync(saveDocx, docx.body);
  console.log(`bench:reports — ${DOCS} progress reports (12 goals, 40 sessions, 8 assessments); PDF ${pages} pages, ${(first.body.length / 1024).toFixed(0)} KB; DOCX ${(docx.body.length / 1024).toFixed(0)} KB; HTML ${(first.html.length / 1024).toFixed(0)} KB`);
  const os = await import("node:os");
  console.log(
    `node ${process.version}, NODE_ENV=${process.env.NODE_ENV ?? "(unset)"}, ${os.cpus().length} cores, load average ${os.loadavg().map((n) => n.toFixed(2)).join(" ")}, warm-up ${WARMUP} docs per route (not counted)${(globalThis as { gc?: unknown }).gc ? ", gc exposed" : ""}`,
  );

  const results: ReturnType<typeof stats>[] = [];
  for (const format of POOL_ONLY ? [] : FORMATS) {
    for (let n = 0; n < WARMUP; n++) await renderOne(format);
    gc();
    const rssBefore = rss();
    const heapBefore = process.memoryUsage().heapUsed;
    const totals: number[] = [];
    const stages = { context: [] as number[], liquid: [] as number[], writer: [] as number[] };
    const samples: string[] = [];
    const cpuBefore = process.cpuUsage();
    for (let n = 0; n < DOCS; n++) {
      const run = await renderOne(format);
      totals.push(run.total);
      stages.context.push(run.context);
      stages.liquid.push(run.liquid);
      stages.writer.push(run.writer);
      if ((n + 1) % Math.max(1, Math.floor(DOCS / 5)) === 0) {
        gc();
        const memory = process.memoryUsage();
        samples.push(`${n + 1}: rss ${mb(memory.rss)} heap ${mb(memory.heapUsed)} ext ${mb(memory.external)}`);
      }
    }
    const cpu = process.cpuUsage(cpuBefore);
    gc();
    const result = stats(`${format.toUpperCase()} end to end`, totals);
    results.push(result);
    const stage = (name: keyof typeof stages) => `${name} p50 ${stats(name, stages[name]).p50.toFixed(1)} ms`;
    console.log(
      `${result.label.padEnd(28)} p50 ${result.p50.toFixed(1)} ms  p95 ${result.p95.toFixed(1)} ms  ${result.perMinute.toFixed(0)} docs/min  CPU ${((cpu.user + cpu.system) / 1000 / DOCS).toFixed(1)} ms/doc (all threads)  RSS ${mb(rssBefore)} -> ${mb(rss())}, heap ${mb(heapBefore)} -> ${mb(process.memoryUsage().heapUsed)}  (${stage("context")}, ${stage("liquid")}, ${stage("writer")}; at ${samples.join(", ")})`,
    );
  }

  if (WITH_CHROMIUM) {
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const printOne = async (html: string) => {
      await page.setContent(html, { waitUntil: "load" });
      return page.pdf({ format: "Letter", printBackground: true, margin: { top: "54px", bottom: "54px", left: "54px", right: "54px" } });
    };
    /** The route a team would otherwise take: the same data and template, printed by Chromium. */
    const chromiumOne = async () => {
      const t0 = performance.now();
      const context = await buildReportContext(requestFor("pdf"), { userId });
      const template = await resolveTemplateForExport("progress_report", "pdf");
      const html = await renderTemplateHtml(template.content, context);
      const t1 = performance.now();
      const pdf = await printOne(html);
      const t2 = performance.now();
      return { pdf: Buffer.from(pdf), total: t2 - t0, print: t2 - t1 };
    };
    for (let n = 0; n < WARMUP; n++) await printOne(first.html);
    const printOnly: number[] = [];
    const endToEnd: number[] = [];
    let chromePages = 0;
    for (let n = 0; n < DOCS; n++) {
      const run = await chromiumOne();
      printOnly.push(run.print);
      endToEnd.push(run.total);
      if (n === 0) chromePages = pageCount(run.pdf);
    }
    const print = stats("Chromium print only", printOnly);
    const full = stats("Chromium end to end", endToEnd);
    for (const result of [print, full]) console.log(`${result.label.padEnd(28)} p50 ${result.p50.toFixed(1)} ms  p95 ${result.p95.toFixed(1)} ms  ${result.perMinute.toFixed(0)} docs/min  (${chromePages} pages)`);
    const pdf = results.find((result) => result.label.startsWith("PDF"));
    if (pdf) console.log(`PDF p50 / Chromium end-to-end p50 = ${(pdf.p50 / full.p50).toFixed(2)}x; / Chromium print-only p50 = ${(pdf.p50 / print.p50).toFixed(2)}x (target <= 1.2x)`);

    // The same comparison with the two routes interleaved, document by document (which goes first
    // alternates): on a shared machine a slow minute then slows both routes, not only the one that
    // happened to be running. The per-pair ratio's median is the figure least moved by such minutes.
    const interleaved = async (label: string, oursOne: () => Promise<number>) => {
      const ours: number[] = [];
      const theirs: number[] = [];
      const ratios: number[] = [];
      for (let n = 0; n < DOCS; n++) {
        let a: number;
        let b: number;
        if (n % 2 === 0) {
          a = await oursOne();
          b = (await chromiumOne()).total;
        } else {
          b = (await chromiumOne()).total;
          a = await oursOne();
        }
        ours.push(a);
        theirs.push(b);
        ratios.push(a / b);
      }
      const paired = { pdf: stats("PDF", ours), chromium: stats("Chromium", theirs), ratio: stats("ratio", ratios) };
      console.log(
        `Interleaved, ${DOCS} pairs, ${label}: PDF end to end p50 ${paired.pdf.p50.toFixed(1)} ms, Chromium end to end p50 ${paired.chromium.p50.toFixed(1)} ms = ${(paired.pdf.p50 / paired.chromium.p50).toFixed(2)}x; median per-pair ratio ${paired.ratio.p50.toFixed(2)}x (target <= 1.2x)`,
      );
    };
    if (FORMATS.includes("pdf")) {
      await interleaved("PDF on this thread", async () => (await renderOne("pdf")).total);
      // As report jobs run: the context built here, Liquid and layout in a compute worker (documents
      // lane), one document at a time, like Chromium's one page. Warmed first (the worker loads tsx,
      // Liquid and the writers once).
      if (WITH_POOL) {
        const { createComputePool } = await import("@/lib/compute/compute-pool");
        const pool = createComputePool({ workers: 1, memoryMb: 1024 });
        const template = await resolveTemplateForExport("progress_report", "pdf");
        const pooledOne = async () => {
          const t0 = performance.now();
          const context = await buildReportContext(requestFor("pdf"), { userId });
          await pool.run("render.template", { content: template.content, context: context as unknown as Record<string, unknown>, format: "pdf", title: "Progress report" });
          return performance.now() - t0;
        };
        for (let n = 0; n < WARMUP; n++) await pooledOne();
        await interleaved("PDF in the compute pool (as report jobs run)", pooledOne);
        await pool.close();
      }
    }
    await browser.close();
  }

  if (WITH_POOL) {
    const { createComputePool } = await import("@/lib/compute/compute-pool");
    for (const format of FORMATS) {
      const template = await resolveTemplateForExport("progress_report", format);
      const perMinute: number[] = [];
      for (const workers of POOL_WORKERS) {
        const pool = createComputePool({ workers, memoryMb: 1024 });
        const renderInPool = async () => {
          const context = await buildReportContext(requestFor(format), { userId });
          return pool.run("render.template", { content: template.content, context: context as unknown as Record<string, unknown>, format, title: "Progress report" });
        };
        const inFlight = workers * 2;
        const runAll = async (count: number) => {
          let next = 0;
          await Promise.all(Array.from({ length: inFlight }, async () => {
            while (next++ < count) await renderInPool();
          }));
        };
        // Warm every worker (each loads tsx, Liquid and the writers once).
        await runAll(Math.max(WARMUP, inFlight * 2));
        const cpuBefore = process.cpuUsage();
        const t0 = performance.now();
        await runAll(DOCS);
        const elapsed = performance.now() - t0;
        const cpu = process.cpuUsage(cpuBefore);
        perMinute.push((DOCS / elapsed) * 60_000);
        console.log(
          `${`${format.toUpperCase()} in the pool, ${workers} worker${workers > 1 ? "s" : ""}`.padEnd(28)} ${perMinute.at(-1)!.toFixed(0)} docs/min (${DOCS} docs, ${inFlight} in flight, ${(elapsed / 1000).toFixed(1)} s; process CPU ${((cpu.user + cpu.system) / 1000 / DOCS).toFixed(1)} ms/doc, all threads; RSS ${mb(rss())})`,
        );
        await pool.close();
      }
      if (perMinute.length > 1) console.log(`${format.toUpperCase()} pool throughput, ${POOL_WORKERS.at(-1)} workers / ${POOL_WORKERS[0]}: ${(perMinute.at(-1)! / perMinute[0]!).toFixed(2)}x (target >= 1.7x; load average ${os.loadavg().map((n) => n.toFixed(2)).join(" ")})`);
    }
  }

  await disconnectPrisma();
  rmSync(dir, { recursive: true, force: true });
}

main().catch(async (error) => {
  console.error(error);
  await disconnectPrisma().catch(() => undefined);
  process.exit(1);
});
