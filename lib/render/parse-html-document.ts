// HTML subset -> document tree. Supported: h1-h4 (h5/h6 become h4), p, strong/b, em/i, br, hr,
// ul/ol/li, table/thead/tbody/tfoot/tr/th/td, section/div/article/main, <div class="page-break">,
// <header>/<footer> as running page header/footer with {page}/{pages}, <figure data-chart="line">,
// and the CSS of lib/render/css.ts. Any other tag degrades to its text.
import { computeElementCss, parseStylesheet, type TCssRule } from "@/lib/render/css";
import type { TBlock, TBlockStyle, TChartPoint, TDocumentTree, TInline, TMarks, TTableRow, TTextAlign } from "@/lib/render/document-tree.types";
import { parseHtmlDom, type THtmlElement, type THtmlNode } from "@/lib/render/html-dom";

type TInherited = TMarks & { textAlign?: TTextAlign };
type TContext = { rules: TCssRule[]; header: TBlock[]; footer: TBlock[]; isRunning: boolean };

const SKIPPED_TAGS = new Set(["script", "style", "title", "head", "template", "noscript", "meta", "link", "img", "svg", "iframe", "object", "input", "button", "select", "textarea"]);
const CONTAINER_TAGS = new Set(["div", "section", "article", "main", "aside", "nav", "blockquote", "address", "dl", "figure", "form", "fieldset", "center"]);
const PARAGRAPH_TAGS = new Set(["p", "figcaption", "caption", "dt", "dd", "pre", "legend"]);
const TRANSPARENT_BLOCK_TAGS = new Set(["#root", "html", "body"]);
const HEADING_LEVEL: Record<string, 1 | 2 | 3 | 4> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 4, h6: 4 };

/** Collects inline runs and turns them into paragraphs when a block starts. */
class Flow {
  readonly blocks: TBlock[] = [];
  inline: TInline[] = [];

  constructor(private readonly textAlign: TTextAlign | undefined) {}

  addText(text: string, marks: TMarks, withPlaceholders: boolean) {
    let collapsed = text.replace(/[ \t\n\r\f]+/g, " ");
    const last = this.inline[this.inline.length - 1];
    if (collapsed.startsWith(" ") && (!last || last.type === "break" || (last.type === "text" && last.text.endsWith(" ")))) collapsed = collapsed.slice(1);
    if (!collapsed) return;
    const parts = withPlaceholders ? collapsed.split(/(\{pages?\})/) : [collapsed];
    for (const part of parts) {
      if (part === "{page}" || part === "{pages}") this.inline.push({ type: "page_number", which: part === "{page}" ? "current" : "total", ...marks });
      else if (part) this.inline.push({ type: "text", text: part, ...marks });
    }
  }

  flush() {
    const children = trimInline(this.inline);
    this.inline = [];
    if (children.length) this.blocks.push({ type: "paragraph", children, style: this.textAlign ? { textAlign: this.textAlign } : {} });
  }
}

function trimInline(inline: TInline[]): TInline[] {
  const out = inline.map((run) => ({ ...run }));
  const first = out[0];
  if (first?.type === "text") first.text = first.text.replace(/^ +/, "");
  const last = out[out.length - 1];
  if (last?.type === "text") last.text = last.text.replace(/ +$/, "");
  for (let index = 0; index < out.length - 1; index++) {
    const run = out[index]!;
    if (run.type === "text" && out[index + 1]!.type === "break") run.text = run.text.replace(/ +$/, "");
  }
  while (out[out.length - 1]?.type === "break") out.pop();

  return out.filter((run) => run.type !== "text" || run.text !== "");
}

function marksOf(inherited: TInherited): TMarks {
  const marks: TMarks = {};
  if (inherited.bold !== undefined) marks.bold = inherited.bold;
  if (inherited.italic !== undefined) marks.italic = inherited.italic;
  if (inherited.color !== undefined) marks.color = inherited.color;
  if (inherited.fontSize !== undefined) marks.fontSize = inherited.fontSize;

  return marks;
}

function blockStyle(css: TBlockStyle, inherited: TInherited): TBlockStyle {
  const style: TBlockStyle = {};
  const textAlign = css.textAlign ?? inherited.textAlign;
  if (textAlign) style.textAlign = textAlign;
  if (css.marginTop !== undefined) style.marginTop = css.marginTop;
  if (css.marginBottom !== undefined) style.marginBottom = css.marginBottom;

  return style;
}

function walkBlocks(nodes: THtmlNode[], inherited: TInherited, ctx: TContext): TBlock[] {
  const flow = new Flow(inherited.textAlign);
  for (const node of nodes) walkNode(node, flow, inherited, ctx);
  flow.flush();

  return flow.blocks;
}

function inlineOf(nodes: THtmlNode[], inherited: TInherited, ctx: TContext): TInline[] {
  const flow = new Flow(inherited.textAlign);
  for (const node of nodes) walkNode(node, flow, inherited, ctx);
  // Block content inside an inline context (a list inside a <p>) is flattened, in order.
  const flattened: TInline[] = [];
  for (const block of flow.blocks) {
    if (flattened.length) flattened.push({ type: "break" });
    flattened.push(...blockToInline(block));
  }
  if (flattened.length && flow.inline.length) flattened.push({ type: "break" });

  return trimInline([...flattened, ...flow.inline]);
}

function blockToInline(block: TBlock): TInline[] {
  const joinWithBreaks = (groups: TInline[][]) => groups.filter((g) => g.length).flatMap((g, i) => (i ? [{ type: "break" } as TInline, ...g] : g));
  switch (block.type) {
    case "heading":
    case "paragraph":
      return block.children;
    case "section":
      return joinWithBreaks(block.children.map(blockToInline));
    case "list":
      return joinWithBreaks(block.items.map((item) => [{ type: "text", text: "• " }, ...joinWithBreaks(item.map(blockToInline))]));
    case "table":
      return joinWithBreaks(block.rows.map((row) => row.cells.flatMap((cell, i) => (i ? [{ type: "text", text: " | " } as TInline, ...cell.children] : cell.children))));
    case "chart":
      return block.title ? [{ type: "text", text: block.title }] : [];
    default:
      return [];
  }
}

function isPageBreak(element: THtmlElement) {
  const classes = (element.attrs.class ?? "").split(/\s+/);
  const style = (element.attrs.style ?? "").toLowerCase();

  return classes.includes("page-break") || /page-break-(before|after)\s*:\s*always|break-(before|after)\s*:\s*page/.test(style);
}

function walkNode(node: THtmlNode, flow: Flow, inherited: TInherited, ctx: TContext) {
  if (node.kind === "text") {
    flow.addText(node.text, marksOf(inherited), ctx.isRunning);
    return;
  }
  const { tag } = node;
  if (SKIPPED_TAGS.has(tag)) return;

  const css = computeElementCss(tag, node.attrs, ctx.rules);
  const childInherited: TInherited = { ...inherited };
  if (tag === "strong" || tag === "b") childInherited.bold = true;
  if (tag === "em" || tag === "i" || tag === "cite") childInherited.italic = true;
  for (const key of ["bold", "italic", "color", "fontSize", "textAlign"] as const) {
    if (css[key] !== undefined) (childInherited as Record<string, unknown>)[key] = css[key];
  }

  if (TRANSPARENT_BLOCK_TAGS.has(tag)) {
    for (const child of node.children) walkNode(child, flow, childInherited, ctx);
    return;
  }
  if (tag === "br") {
    flow.inline.push({ type: "break" });
    return;
  }
  if ((tag === "header" || tag === "footer") && !ctx.isRunning) {
    const running = walkBlocks(node.children, childInherited, { ...ctx, isRunning: true });
    (tag === "header" ? ctx.header : ctx.footer).push(...running);
    return;
  }
  if (tag === "hr") {
    flow.flush();
    flow.blocks.push({ type: "rule" });
    return;
  }
  if (HEADING_LEVEL[tag]) {
    flow.flush();
    flow.blocks.push({ type: "heading", level: HEADING_LEVEL[tag], children: inlineOf(node.children, childInherited, ctx), style: blockStyle(css, inherited) });
    return;
  }
  if (PARAGRAPH_TAGS.has(tag)) {
    flow.flush();
    const children = inlineOf(node.children, childInherited, ctx);
    if (children.length) flow.blocks.push({ type: "paragraph", children, style: blockStyle(css, inherited) });
    return;
  }
  if (tag === "ul" || tag === "ol") {
    flow.flush();
    const items = node.children
      .filter((child) => child.kind === "element" || child.text.trim())
      .map((child) => walkBlocks(child.kind === "element" && child.tag === "li" ? child.children : [child], childInherited, ctx))
      .filter((item) => item.length);
    if (items.length) flow.blocks.push({ type: "list", ordered: tag === "ol", items });
    return;
  }
  if (tag === "table") {
    flow.flush();
    const caption = node.children.find((child): child is THtmlElement => child.kind === "element" && child.tag === "caption");
    if (caption) flow.blocks.push({ type: "paragraph", children: inlineOf(caption.children, { ...childInherited, bold: true }, ctx), style: {} });
    const rows = tableRows(node, childInherited, ctx);
    if (rows.length) flow.blocks.push({ type: "table", rows });
    return;
  }
  if (tag === "figure" && node.attrs["data-chart"]) {
    flow.flush();
    const chart = chartOf(node);
    if (chart) flow.blocks.push(chart);
    return;
  }
  if (CONTAINER_TAGS.has(tag) || tag === "header" || tag === "footer" || tag === "li") {
    flow.flush();
    if (isPageBreak(node) && !node.children.some((c) => c.kind === "element" || c.text.trim())) {
      flow.blocks.push({ type: "page_break" });
      return;
    }
    const children = walkBlocks(node.children, childInherited, ctx);
    const style = blockStyle(css, inherited);
    if (children.length || style.marginTop || style.marginBottom) flow.blocks.push({ type: "section", children, style });
    return;
  }
  // Inline formatting (strong, em, span, a, ...) and unknown tags: their content, with marks.
  for (const child of node.children) walkNode(child, flow, childInherited, ctx);
}

function tableRows(table: THtmlElement, inherited: TInherited, ctx: TContext): TTableRow[] {
  const rows: TTableRow[] = [];
  const visit = (element: THtmlElement, isHeaderGroup: boolean) => {
    for (const child of element.children) {
      if (child.kind !== "element") continue;
      if (child.tag === "thead" || child.tag === "tbody" || child.tag === "tfoot") visit(child, child.tag === "thead");
      else if (child.tag === "tr") {
        const rowCss = computeElementCss("tr", child.attrs, ctx.rules);
        const rowInherited: TInherited = { ...inherited, ...(rowCss.bold !== undefined ? { bold: rowCss.bold } : {}), ...(rowCss.textAlign ? { textAlign: rowCss.textAlign } : {}) };
        const cells = child.children
          .filter((cell): cell is THtmlElement => cell.kind === "element" && (cell.tag === "td" || cell.tag === "th"))
          .map((cell) => {
            const cellCss = computeElementCss(cell.tag, cell.attrs, ctx.rules);
            const cellInherited: TInherited = { ...rowInherited, ...cellCss };

            return { isHeader: cell.tag === "th" || isHeaderGroup, children: inlineOf(cell.children, cellInherited, ctx), style: blockStyle(cellCss, rowInherited) };
          });
        if (cells.length) rows.push({ isHeader: isHeaderGroup || cells.every((cell) => cell.isHeader), cells });
      }
    }
  };
  visit(table, false);

  return rows;
}

function chartOf(figure: THtmlElement): TBlock | null {
  const points: TChartPoint[] = [];
  for (const entry of (figure.attrs["data-points"] ?? "").split(/[,;]/)) {
    const separator = Math.max(entry.lastIndexOf("="), entry.lastIndexOf(":"));
    const label = separator >= 0 ? entry.slice(0, separator).trim() : String(points.length + 1);
    const value = Number(separator >= 0 ? entry.slice(separator + 1) : entry);
    if (entry.trim() && Number.isFinite(value)) points.push({ label, value });
  }
  if (!points.length) return null;
  const max = Number(figure.attrs["data-max"]);

  return { type: "chart", kind: "line", title: figure.attrs["data-title"] ?? null, max: Number.isFinite(max) && max > 0 ? max : null, points };
}

function collectStylesheets(element: THtmlElement, out: string[]) {
  for (const child of element.children) {
    if (child.kind !== "element") continue;
    if (child.tag === "style") out.push(child.children.map((c) => (c.kind === "text" ? c.text : "")).join(""));
    else collectStylesheets(child, out);
  }

  return out;
}

export function parseHtmlDocument(html: string): TDocumentTree {
  const dom = parseHtmlDom(html);
  const ctx: TContext = { rules: parseStylesheet(collectStylesheets(dom, []).join("\n")), header: [], footer: [], isRunning: false };
  const body = walkBlocks(dom.children, {}, ctx);

  return { header: ctx.header, footer: ctx.footer, body };
}
