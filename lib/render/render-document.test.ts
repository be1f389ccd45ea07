import { describe, expect, it } from "vitest";

import { renderDocument } from "@/lib/render/render-document";
import { docxText, readZipEntry } from "@/lib/render/testing/read-docx";
import { pdfPageWords, pdfText } from "@/lib/render/testing/pdf-text";

const HTML = `
<header><p style="text-align:right">Riverbend Counseling</p></header>
<h1>Progress Report</h1>
<p>Patient: <strong>Jordan Sample</strong></p>
<h2>Goal Progress</h2>
<table><thead><tr><th>Goal</th><th>Baseline</th><th>Current</th></tr></thead>
<tbody><tr><td>Reduce panic attacks</td><td>6</td><td>2</td></tr></tbody></table>
<ul><li>Continue CBT</li></ul><ol><li>Review in 4 weeks</li></ol>
<figure data-chart="line" data-title="PHQ-9 over time" data-max="27" data-points="2026-01-05:18,2026-02-02:14,2026-03-02:9"></figure>
<div class="page-break"></div>
<h2>Signature</h2><p>Dana Clinician, LCSW</p>
<footer><p>Page {page} of {pages} · Confidential</p></footer>`;

describe("renderDocument", () => {
  it("writes a PDF whose text has the headings, table cells and page numbers", async () => {
    const pdf = await renderDocument(HTML, "pdf", { title: "Progress Report" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.subarray(-8).toString()).toContain("%%EOF");
    const text = pdfText(pdf);
    if (text === null) return; // poppler-utils not installed on this machine
    for (const expected of ["Riverbend Counseling", "Progress Report", "Jordan Sample", "Goal Progress", "Reduce panic attacks", "Baseline", "Continue CBT", "PHQ-9 over time", "Signature"]) {
      expect(text).toContain(expected);
    }
    expect(text).toContain("Page 1 of 2");
    expect(text).toContain("Page 2 of 2");
  });

  it("writes each PDF with its own font objects, though the fonts' metrics are built once per process", async () => {
    for (let n = 0; n < 2; n++) {
      const pdf = await renderDocument(HTML, "pdf", { title: `Progress Report ${n}` });
      const raw = pdf.toString("latin1");
      // pdfkit writes font dictionaries uncompressed: each file must carry the ones it uses.
      expect(raw).toMatch(/\/BaseFont \/Helvetica-Bold\b/);
      expect(raw).toMatch(/\/BaseFont \/Helvetica\b(?!-)/);
      const text = pdfText(pdf);
      if (text !== null) expect(text).toContain("Jordan Sample");
    }
  });

  it("writes a DOCX whose document.xml has the text and footer page fields", async () => {
    const docx = await renderDocument(HTML, "docx", { title: "Progress Report" });
    expect(docx.subarray(0, 2).toString()).toBe("PK");
    const body = docxText(readZipEntry(docx, "word/document.xml") ?? "");
    for (const expected of ["Progress Report", "Jordan Sample", "Reduce panic attacks", "Baseline", "Continue CBT", "Review in 4 weeks", "PHQ-9 over time", "Signature"]) {
      expect(body).toContain(expected);
    }
    const footerName = ["word/footer1.xml", "word/footer2.xml"].find((name) => readZipEntry(docx, name));
    const footer = readZipEntry(docx, footerName ?? "word/footer1.xml") ?? "";
    expect(footer).toMatch(/PAGE/);
    expect(footer).toMatch(/NUMPAGES/);
    expect(readZipEntry(docx, "word/header1.xml") ?? readZipEntry(docx, "word/header2.xml")).toContain("Riverbend Counseling");
  });

  it("puts the running header and footer on every page, with the page count, clear of the body", async () => {
    const paragraphs = Array.from({ length: 140 }, (_, i) => `<p>Body${i} continues the session narrative with enough words to wrap onto another row now and then, as notes do.</p>`).join("");
    const html = `<header><p>Riverbend Counseling</p><p>Second header line</p></header>${paragraphs}<footer><p>Page {page} of {pages}</p></footer>`;
    const pages = pdfPageWords(await renderDocument(html, "pdf", { title: "Long" }));
    if (pages === null) return; // poppler-utils not installed on this machine
    expect(pages.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    pages.forEach((words, index) => {
      const header = words.filter((word) => ["Riverbend", "Counseling", "Second", "header", "line"].includes(word.text));
      const footer = words.filter((word) => word.text === "Page" || word.text === "of" || /^\d+$/.test(word.text));
      const body = words.filter((word) => !header.includes(word) && !footer.includes(word));
      expect(header.map((word) => word.text)).toEqual(["Riverbend", "Counseling", "Second", "header", "line"]);
      expect(footer.map((word) => word.text)).toEqual(["Page", String(index + 1), "of", String(pages.length)]);
      expect(body.length).toBeGreaterThan(0);
      expect(Math.min(...body.map((word) => word.yMin))).toBeGreaterThan(Math.max(...header.map((word) => word.yMax)));
      expect(Math.max(...body.map((word) => word.yMax))).toBeLessThan(Math.min(...footer.map((word) => word.yMin)));
      seen.push(...body.filter((word) => /^Body\d+$/.test(word.text)).map((word) => word.text));
    });
    // Every paragraph once, in order: nothing lost or repeated at a page break.
    expect(seen).toEqual(Array.from({ length: 140 }, (_, i) => `Body${i}`));
  });

  it("refuses a header and footer that leave no room for the body", async () => {
    const header = Array.from({ length: 70 }, (_, i) => `<p>Header line ${i}</p>`).join("");
    await expect(renderDocument(`<header>${header}</header><p>Body</p><footer><p>Page {page}</p></footer>`, "pdf", { title: "x" })).rejects.toMatchObject({
      name: "AppError",
      issues: [{ path: "template_content", message: expect.stringMatching(/header and footer leave no room/) }],
    });
  });
});
