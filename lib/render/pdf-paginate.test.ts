// Page breaking, checked on real PDFs: rendered through the production writer and read back with
// poppler (word positions per page).
import { describe, expect, it } from "vitest";

import { renderDocument } from "@/lib/render/render-document";
import { pdfPageWords, type TPdfWord } from "@/lib/render/testing/pdf-text";

const PAGE_HEIGHT = 792;
const MARGIN = 54;
/** Glyph boxes reach a little outside their line box. */
const SLACK = 3;

async function pages(html: string): Promise<TPdfWord[][] | null> {
  return pdfPageWords(await renderDocument(html, "pdf", { title: "Pagination" }));
}

/** Every word (of the given pattern) in reading order, with the page it is on. */
function tokens(document: TPdfWord[][], pattern: RegExp) {
  return document.flatMap((words, page) => words.filter((word) => pattern.test(word.text)).map((word) => ({ ...word, page })));
}

function expectInsideMargins(document: TPdfWord[][]) {
  for (const words of document) {
    for (const word of words) {
      expect(word.yMin).toBeGreaterThanOrEqual(MARGIN - SLACK);
      expect(word.yMax).toBeLessThanOrEqual(PAGE_HEIGHT - MARGIN + SLACK);
    }
  }
}

const filler = (count: number, tag = "F") => Array.from({ length: count }, (_, i) => `<p>${tag}${i} filler text for the page.</p>`).join("");

describe("PDF pagination", () => {
  it("splits a long table between rows: every row once, in order, never cut in two", async () => {
    const rows = Array.from({ length: 90 }, (_, i) => `<tr><td>Row${i}</td><td>Value${i} with a little more text</td></tr>`).join("");
    const document = await pages(`<h2>Sessions</h2><table><thead><tr><th>When</th><th>What</th></tr></thead><tbody>${rows}</tbody></table>`);
    if (document === null) return; // poppler-utils not installed on this machine
    expect(document.length).toBeGreaterThanOrEqual(2);
    const labels = tokens(document, /^Row\d+$/);
    const values = tokens(document, /^Value\d+$/);
    expect(labels.map((word) => word.text)).toEqual(Array.from({ length: 90 }, (_, i) => `Row${i}`));
    labels.forEach((label, i) => {
      expect(values[i]!.page).toBe(label.page);
      expect(Math.abs(values[i]!.yMin - label.yMin)).toBeLessThan(1);
    });
    expectInsideMargins(document);
  });

  // Eight lines each: long enough that only the list's keep-together rule keeps an item whole.
  // Filler moves the page breaks to different lines of the items.
  it("moves a list item whole to the next page, inside a styled section", async () => {
    const long = "runs on through a plan step with enough words to wrap across several lines of the page ".repeat(8);
    const items = Array.from({ length: 16 }, (_, i) => `<li>Item${i} ${long} End${i}</li>`).join("");
    for (let count = 0; count < 5; count++) {
      const document = await pages(`${filler(count)}<section style="margin-top:12px"><h2>Plan</h2><ol>${items}</ol></section>`);
      if (document === null) return;
      expect(document.length).toBeGreaterThanOrEqual(2);
      const starts = tokens(document, /^Item\d+$/);
      const ends = tokens(document, /^End\d+$/);
      expect(starts.map((word) => word.text)).toEqual(Array.from({ length: 16 }, (_, i) => `Item${i}`));
      starts.forEach((start, i) => expect(ends[i]!.page, `filler ${count}, ${start.text}`).toBe(start.page));
      expectInsideMargins(document);
    }
  });

  // Filler moves the table's start over the bottom of the first page.
  it("repeats a table's header row on each page it continues on, and never leaves it alone at a page bottom", async () => {
    const rows = Array.from({ length: 70 }, (_, i) => `<tr><td>Row${i}</td><td>Value${i}</td></tr>`).join("");
    for (let count = 36; count <= 44; count++) {
      const document = await pages(`${filler(count)}<table><thead><tr><th>When</th><th>What</th></tr></thead><tbody>${rows}</tbody></table>`);
      if (document === null) return;
      const labels = tokens(document, /^Row\d+$/);
      expect(labels.map((word) => word.text), `filler ${count}`).toEqual(Array.from({ length: 70 }, (_, i) => `Row${i}`));
      const pagesWithRows = [...new Set(labels.map((label) => label.page))];
      expect(pagesWithRows.length).toBeGreaterThanOrEqual(2);
      const headers = tokens(document, /^When$/);
      expect(headers.map((header) => header.page), `filler ${count}`).toEqual(pagesWithRows);
      for (const header of headers) {
        const below = labels.filter((label) => label.page === header.page);
        expect(Math.min(...below.map((label) => label.yMin))).toBeGreaterThan(header.yMax);
      }
      expectInsideMargins(document);
    }
  });

  it("splits a paragraph longer than a page between lines, losing none", async () => {
    const words = Array.from({ length: 1400 }, (_, i) => `w${i}`).join(" ");
    const document = await pages(`<p>${words}</p>`);
    if (document === null) return;
    expect(document.length).toBeGreaterThanOrEqual(2);
    expect(tokens(document, /^w\d+$/).map((word) => word.text)).toEqual(Array.from({ length: 1400 }, (_, i) => `w${i}`));
    expectInsideMargins(document);
  });

  // The cells' lines differ in height, so their line boundaries do not meet.
  it("cuts a table row taller than a page between the lines of each cell, losing nothing", async () => {
    const left = Array.from({ length: 900 }, (_, i) => `a${i}`).join(" ");
    const right = Array.from({ length: 700 }, (_, i) => `b${i}`).join(" ");
    const document = await pages(`<p>Before</p><table><tr><td>${left}</td><td><span style="font-size:15pt">${right}</span></td></tr></table><p>After</p>`);
    if (document === null) return;
    expect(tokens(document, /^a\d+$/).map((word) => word.text)).toEqual(Array.from({ length: 900 }, (_, i) => `a${i}`));
    expect(tokens(document, /^b\d+$/).map((word) => word.text)).toEqual(Array.from({ length: 700 }, (_, i) => `b${i}`));
    expect(tokens(document, /^After$/)).toHaveLength(1);
    expectInsideMargins(document);
  });

  it("starts a new page at a page break, even with room left", async () => {
    const document = await pages(`<p>First page</p><div class="page-break"></div><p>Second page</p><div class="page-break"></div><p>Third page</p>`);
    if (document === null) return;
    expect(document.map((words) => words.map((word) => word.text).join(" "))).toEqual(["First page", "Second page", "Third page"]);
  });

  // Filler pushes the heading to every position near the bottom of the first page.
  it("keeps a heading with the short table it introduces, and never leaves one line of a paragraph alone", async () => {
    for (let count = 30; count <= 44; count++) {
      const paragraph = Array.from({ length: 60 }, (_, i) => `p${i}`).join(" ");
      const document = await pages(
        `${filler(count)}<h2>Goals heading</h2><table><tr><td>GoalA</td></tr><tr><td>GoalB</td></tr></table>${filler(count % 7, "G")}<p>${paragraph} ${paragraph}</p>`,
      );
      if (document === null) return;
      const heading = tokens(document, /^heading$/)[0]!;
      expect(tokens(document, /^GoalA$/)[0]!.page, `filler ${count}`).toBe(heading.page);
      const lines = new Map<number, Set<number>>();
      for (const word of tokens(document, /^p\d+$/)) lines.set(word.page, (lines.get(word.page) ?? new Set()).add(Math.round(word.yMin)));
      for (const [page, tops] of lines) expect(tops.size, `filler ${count}, page ${page}`).toBeGreaterThanOrEqual(2);
      expect(tokens(document, /^F\d+$/)).toHaveLength(count);
      expectInsideMargins(document);
    }
  });

  // A full record runs to hundreds of pages: the tall page is then hundreds of thousands of points long.
  it("keeps a 70-page document whole, every page's body between its header and footer", async () => {
    const parts = Array.from({ length: 1500 }, (_, i) => {
      const table = i % 10 === 0 ? `<table><tr><th>Date</th><th>Score</th></tr>${Array.from({ length: 6 }, (_, r) => `<tr><td>T${i}r${r}</td><td>${r}</td></tr>`).join("")}</table>` : "";
      return `<p>Para${i} the session notes continue with enough words to wrap onto a second line most of the time.</p>${table}`;
    });
    const document = await pages(`<header><p>Running header</p></header>${parts.join("")}<footer><p>Page {page} of {pages}</p></footer>`);
    if (document === null) return;
    expect(document.length).toBeGreaterThanOrEqual(60);
    expect(tokens(document, /^Para\d+$/).map((word) => word.text)).toEqual(Array.from({ length: 1500 }, (_, i) => `Para${i}`));
    expect(tokens(document, /^T\d+r\d+$/)).toHaveLength(900);
    document.forEach((words, index) => {
      const header = words.find((word) => word.text === "Running")!;
      const footer = words.find((word) => word.text === "Page")!;
      expect(words[words.indexOf(footer) + 1]!.text).toBe(String(index + 1));
      const body = words.filter((word) => word.yMin > header.yMax && word.yMax < footer.yMin);
      expect(body.length, `page ${index + 1}`).toBe(words.length - 2 - 4);
    });
  }, 60_000); // lays out 70 pages: seconds on a quiet machine, more when other work shares the cores
});
