import { describe, expect, it } from "vitest";

import { parseHtmlDocument } from "@/lib/render/parse-html-document";

describe("parseHtmlDocument", () => {
  it("builds headings, paragraphs with marks, and collapses whitespace", () => {
    const tree = parseHtmlDocument(`<h1 style="text-align:center">Progress   Report</h1>
      <p>Patient: <strong>Jane &amp; Co</strong> <em>seen</em><br>next line</p>`);
    expect(tree.body).toEqual([
      { type: "heading", level: 1, children: [{ type: "text", text: "Progress Report" }], style: { textAlign: "center" } },
      {
        type: "paragraph",
        style: {},
        children: [
          { type: "text", text: "Patient: " },
          { type: "text", text: "Jane & Co", bold: true },
          { type: "text", text: " " },
          { type: "text", text: "seen", italic: true },
          { type: "break" },
          { type: "text", text: "next line" },
        ],
      },
    ]);
  });

  it("parses tables with header rows, lists, sections, rules and page breaks", () => {
    const tree = parseHtmlDocument(`
      <section style="margin-top: 12pt"><h2>Goals</h2>
        <table><thead><tr><th>Goal</th><th>Baseline</th></tr></thead>
        <tbody><tr><td>Sleep 7h</td><td style="text-align:right">4</td></tr><tr><td>Walk<td>2</tbody></table>
      </section>
      <ul><li>one<li>two <b>bold</b></ul><ol><li>first</li></ol><hr><div class="page-break"></div><p>after</p>`);
    const [section, list, ordered, rule, pageBreak, after] = tree.body;
    expect(section).toMatchObject({ type: "section", style: { marginTop: 12 } });
    const [heading, table] = (section as { children: unknown[] }).children;
    expect(heading).toMatchObject({ type: "heading", level: 2 });
    expect(table).toEqual({
      type: "table",
      rows: [
        { isHeader: true, cells: [{ isHeader: true, children: [{ type: "text", text: "Goal" }], style: {} }, { isHeader: true, children: [{ type: "text", text: "Baseline" }], style: {} }] },
        { isHeader: false, cells: [{ isHeader: false, children: [{ type: "text", text: "Sleep 7h" }], style: {} }, { isHeader: false, children: [{ type: "text", text: "4" }], style: { textAlign: "right" } }] },
        { isHeader: false, cells: [{ isHeader: false, children: [{ type: "text", text: "Walk" }], style: {} }, { isHeader: false, children: [{ type: "text", text: "2" }], style: {} }] },
      ],
    });
    expect(list).toMatchObject({ type: "list", ordered: false, items: [[{ type: "paragraph", children: [{ text: "one" }] }], [{ type: "paragraph", children: [{ text: "two " }, { text: "bold", bold: true }] }]] });
    expect(ordered).toMatchObject({ type: "list", ordered: true });
    expect(rule).toEqual({ type: "rule" });
    expect(pageBreak).toEqual({ type: "page_break" });
    expect(after).toMatchObject({ type: "paragraph", children: [{ text: "after" }] });
  });

  it("takes <header>/<footer> as running blocks with page placeholders", () => {
    const tree = parseHtmlDocument(`<header><p>Practice</p></header><p>body</p><footer><p>Page {page} of {pages}</p></footer>`);
    expect(tree.header).toMatchObject([{ type: "paragraph", children: [{ text: "Practice" }] }]);
    expect(tree.footer[0]).toMatchObject({
      type: "paragraph",
      children: [{ type: "text", text: "Page " }, { type: "page_number", which: "current" }, { type: "text", text: " of " }, { type: "page_number", which: "total" }],
    });
    expect(tree.body).toHaveLength(1);
  });

  it("applies <style> rules and inline CSS, inline wins", () => {
    const tree = parseHtmlDocument(`<style>.muted { color: #888; font-size: 12px } p.lead { font-weight: bold }</style>
      <p class="lead">Lead <span class="muted" style="color: red">x</span></p>`);
    expect(tree.body).toEqual([
      { type: "paragraph", style: {}, children: [{ type: "text", text: "Lead ", bold: true }, { type: "text", text: "x", bold: true, color: "#ff0000", fontSize: 9 }] },
    ]);
  });

  it("degrades unknown tags to their text and drops scripts", () => {
    const tree = parseHtmlDocument(`<blink>Hello</blink> <marquee>world</marquee><script>alert(1)</script><img src="x">`);
    expect(tree.body).toEqual([{ type: "paragraph", style: {}, children: [{ type: "text", text: "Hello" }, { type: "text", text: " " }, { type: "text", text: "world" }] }]);
  });

  it("reads a line chart figure", () => {
    const tree = parseHtmlDocument(`<figure data-chart="line" data-title="PHQ-9" data-max="27" data-points="2026-01-05:18,2026-02-02:14,bad"></figure>`);
    expect(tree.body).toEqual([
      { type: "chart", kind: "line", title: "PHQ-9", max: 27, points: [{ label: "2026-01-05", value: 18 }, { label: "2026-02-02", value: 14 }] },
    ]);
  });

  it("never throws on broken markup", () => {
    const tree = parseHtmlDocument(`<p>open <b>bold</p></div></table><td>cell<h2>Title`);
    expect(tree.body.length).toBeGreaterThan(0);
  });
});
