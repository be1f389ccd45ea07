// The compute pool with its real workers (tsx-loaded TypeScript, the real renderers): the pool's
// bytes equal the in-process renderer's, an over-limit task fails with a clear message and its
// worker is replaced, and errors cross back with their meaning.
import { afterAll, describe, expect, it } from "vitest";

import { ComputeLimitError, createComputePool, laneResourceLimits } from "@/lib/compute/compute-pool";
import { AppError } from "@/lib/errors/app-error";
import { renderDocument } from "@/lib/render/render-document";
import { readZipEntry } from "@/lib/render/testing/read-docx";

const HTML = `
<h1>Progress Report</h1>
<p>Patient: <strong>Jordan Sample</strong></p>
<table><thead><tr><th>Goal</th><th>Baseline</th><th>Current</th></tr></thead>
<tbody><tr><td>Reduce panic attacks</td><td>6</td><td>2</td></tr></tbody></table>
<ul><li>Continue CBT</li></ul>
<figure data-chart="line" data-title="PHQ-9 over time" data-max="27" data-points="2026-01-05:18,2026-02-02:14,2026-03-02:9"></figure>
<div class="page-break"></div>
<h2>Signature</h2><p>Dana Clinician, LCSW</p>
<footer><p>Page {page} of {pages}</p></footer>`;

const PARAGRAPH = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>";
/** 20,000 paragraphs: seconds of layout on one thread. */
const HUGE = "<h1>Long</h1>" + PARAGRAPH.repeat(20_000);
/** 2,000 paragraphs: about a second of layout, enough to hold a worker while other tasks queue. */
const LONG = "<h1>Long</h1>" + PARAGRAPH.repeat(2_000);

/** The creation time (and the file id pdfkit derives from it) is all that differs between two renders of the same HTML. */
const withoutCreationDate = (pdf: Buffer) => pdf.toString("latin1").replace(/\(D:\d{14}Z\)/g, "(D:)").replace(/\/ID \[<[0-9a-f]+> <[0-9a-f]+>\]/, "/ID []");

const pool = createComputePool({ workers: 1, memoryMb: 512 });
afterAll(() => pool.close());

describe("compute pool", () => {
  it("renders a PDF byte for byte as the in-process renderer does", { timeout: 60_000 }, async () => {
    const inline = await renderDocument(HTML, "pdf", { title: "Progress Report" });
    const pooled = Buffer.from(await pool.run("render.document", { html: HTML, format: "pdf", title: "Progress Report" }));
    expect(pooled.subarray(0, 5).toString()).toBe("%PDF-");
    expect(withoutCreationDate(pooled)).toBe(withoutCreationDate(inline));
  });

  it("renders a DOCX whose document and styles equal the in-process renderer's", { timeout: 60_000 }, async () => {
    const inline = await renderDocument(HTML, "docx", { title: "Progress Report" });
    const pooled = Buffer.from(await pool.run("render.document", { html: HTML, format: "docx", title: "Progress Report" }));
    for (const part of ["word/document.xml", "word/styles.xml", "word/numbering.xml"]) {
      expect(readZipEntry(pooled, part), part).toBe(readZipEntry(inline, part));
    }
    expect(readZipEntry(pooled, "word/document.xml")).toContain("Jordan Sample");
  });

  it("stops a task over its time limit with a clear message, then runs the next one on a fresh worker", { timeout: 120_000 }, async () => {
    const started = Date.now();
    const failure = await pool.run("render.document", { html: HUGE, format: "pdf", title: "Long" }, { timeoutMs: 300 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ComputeLimitError);
    expect((failure as ComputeLimitError).limit).toBe("time");
    expect((failure as Error).message).toBe("The document is too large to lay out within 0.3 s.");
    // Stopped, not waited out: a full layout of HUGE takes several seconds (generous bound).
    expect(Date.now() - started).toBeLessThan(30_000);

    const next = Buffer.from(await pool.run("render.document", { html: HTML, format: "pdf", title: "After" }));
    expect(next.subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("stops a task over the memory limit with a clear message, and the pool goes on", { timeout: 120_000 }, async () => {
    const small = createComputePool({ workers: 1, memoryMb: 64 });
    try {
      const failure = await small.run("render.document", { html: HUGE.repeat(2), format: "pdf", title: "Long" }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ComputeLimitError);
      expect((failure as ComputeLimitError).limit).toBe("memory");
      expect((failure as Error).message).toBe("The document is too large to lay out within 64 MB of memory.");

      const next = Buffer.from(await small.run("render.document", { html: HTML, format: "docx", title: "After" }));
      expect(readZipEntry(next, "word/document.xml")).toContain("Reduce panic attacks");
    } finally {
      await small.close();
    }
  });

  it("cancels a running task when the caller's signal aborts", { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const running = pool.run("render.document", { html: HUGE, format: "pdf", title: "Long" }, { signal: controller.signal }).catch((error: unknown) => error);
    setTimeout(() => controller.abort(new Error("client went away")), 200);
    const failure = await running;
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ComputeLimitError);
  });

  it("sizes each lane's young generation for its work, within an eighth of the heap limit", () => {
    expect(laneResourceLimits("documents", 1024)).toEqual({ maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 128 });
    expect(laneResourceLimits("data", 1024)).toEqual({ maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 32 });
    expect(laneResourceLimits("documents", 64)).toEqual({ maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 });
  });

  it("runs no more tasks at once than its size, across both lanes; a waiting task cancelled leaves the line", { timeout: 120_000 }, async () => {
    // One worker's budget: a layout of a second or so (documents lane) holds it, so a small
    // data-lane task waits for it although the data lane could start a thread of its own.
    const settled: string[] = [];
    const layout = pool.run("render.document", { html: LONG, format: "pdf", title: "Long" }).then(() => settled.push("layout"));
    const piece = { job: "slots", url: "file:unused", key: "slots", excludedPatientIds: [], scanner: null, texts: [], data: new TextEncoder().encode("a,b\n1,2\n"), source: "x.csv", scan: false };
    const data = pool.run("dataset.scan-piece", piece).then((output) => {
      settled.push("data");
      return output;
    });
    const cancelled = new AbortController();
    const abandoned = pool.run("dataset.scan-piece", piece, { signal: cancelled.signal }).catch((error: unknown) => error);
    cancelled.abort(new Error("caller went away"));
    expect(await abandoned).toMatchObject({ name: "AbortError" });

    const [, output] = await Promise.all([layout, data]);
    expect(settled).toEqual(["layout", "data"]);
    expect(output.refusal).toBeNull();
    expect(output.deflated.byteLength).toBeGreaterThan(0);
    // The cancelled task gave its place back: the pool still runs a task after it.
    expect((await pool.run("dataset.scan-piece", piece)).refusal).toBeNull();
  });

  it("fails the tasks still waiting for a place when it closes, and refuses new ones", { timeout: 60_000 }, async () => {
    const closing = createComputePool({ workers: 1, memoryMb: 512 });
    const running = closing.run("render.document", { html: LONG, format: "pdf", title: "Long" }).catch((error: unknown) => error);
    const waiting = closing.run("render.document", { html: HTML, format: "pdf", title: "Waiting" }).catch((error: unknown) => error);
    await closing.close();
    expect(await waiting).toMatchObject({ message: "The compute pool is closing." });
    // The running task is piscina's to end (it may finish): it settles, it does not hang.
    await running;
    await expect(closing.run("render.document", { html: HTML, format: "pdf", title: "Late" })).rejects.toThrow("The compute pool is closing.");
  });

  it("brings an AppError back as an AppError, with its code and issues", { timeout: 60_000 }, async () => {
    // A page header taller than the page: the renderer refuses it as bad template content.
    const html = `<header>${"<p>Letterhead line</p>".repeat(80)}</header><p>Body</p>`;
    const inline = await renderDocument(html, "pdf", { title: "x" }).catch((error: unknown) => error);
    const pooled = await pool.run("render.document", { html, format: "pdf", title: "x" }).catch((error: unknown) => error);
    expect(inline).toBeInstanceOf(AppError);
    expect(pooled).toBeInstanceOf(AppError);
    expect(pooled).toMatchObject({ code: "INVALID_INPUT", message: (inline as AppError).message, issues: (inline as AppError).issues });
  });
});
