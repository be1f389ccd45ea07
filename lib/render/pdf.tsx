// PDF back end: document tree -> @react-pdf/renderer. Built-in Helvetica only (no font files,
// no network).
//
// Speed and memory (see BENCHMARKS.md "Reports"):
// - One long-lived react-pdf instance, documents rendered one at a time and unmounted after.
//   `renderToBuffer` creates a React root per call that react-pdf never unmounts; React keeps
//   every root (and with it the whole document tree) reachable, ~4 MB per report.
// - The body is laid out once, as one page of unbounded height, and cut into pages by moving what
//   react-pdf measured (lib/render/pdf-paginate.ts). react-pdf's pagination lays each page out
//   again after splitting it (its classic engine at every break, ~O(pages²)), and with a page
//   template showing "Page N of M" paginates the whole document twice to learn M.
// - The running header and footer are measured first (their height sets the body's margins), then
//   laid out once more with the real page count and placed on each page.
// - react-pdf's own steps do the work, called directly: @react-pdf/layout, @react-pdf/render and
//   pdfkit, the packages `pdf().toBuffer()` runs, pinned to the versions @react-pdf/renderer 4.9.0
//   ships with. The React tree and its reconciler are @react-pdf/renderer's.
// - Few, flat nodes: one <Text> per paragraph or table cell (nested <Text> only for runs whose
//   marks differ), no <View> per cell; styles created once at module level or cached by marks.
// - Plain box borders are painted as one filled path per colour and page (lib/render/pdf-borders.ts),
//   standard-font metrics are built once per process, and font loads are answered from a set
//   (BENCHMARKS.md, "PDF writer speed").
import layoutDocument, { type SafeDocumentNode } from "@react-pdf/layout";
import renderLaidOut from "@react-pdf/render";
import { Circle, Document, Font, Line, Page, pdf, Polyline, StyleSheet, Svg, Text, View } from "@react-pdf/renderer";
import type { Style } from "@react-pdf/stylesheet";
import PDFDocument from "pdfkit";
import type { ReactElement, ReactNode } from "react";

import { invalidInput } from "@/lib/errors/app-error";
import { BASE_FONT_SIZE } from "@/lib/render/css";
import { paintBorders, takePageBorders } from "@/lib/render/pdf-borders";
import { paginateTallPage, type TLaidOutNode } from "@/lib/render/pdf-paginate";
import type { TBlock, TBlockStyle, TDocumentTree, TInline, TMarks, TTableRow } from "@/lib/render/document-tree.types";

const PAGE_MARGIN = 54;
const RUNNING_TOP = 24;
const RUNNING_BOTTOM = 20;
/** Space between a running header/footer and the body. */
const RUNNING_GAP = 14;

// Clinical text reads badly hyphenated ("Ad-dress", "psycho-therapy"): wrap whole words only.
// Registered once at module load (a callback per render would pile up work and memory).
Font.registerHyphenationCallback((word) => [word]);
const HEADING_SIZE = { 1: 18, 2: 14, 3: 12, 4: 11 } as const;
const TEXT_COLOR = "#1a1a1a";
const RULE_COLOR = "#9a9a9a";
const CHART_WIDTH = 360;
const CHART_HEIGHT = 110;
const CHART_PAD = 8;

const styles = StyleSheet.create({
  page: { fontFamily: "Helvetica", fontSize: BASE_FONT_SIZE, color: TEXT_COLOR, paddingHorizontal: PAGE_MARGIN, paddingVertical: PAGE_MARGIN },
  chromePage: { fontFamily: "Helvetica", fontSize: BASE_FONT_SIZE, color: TEXT_COLOR, paddingHorizontal: PAGE_MARGIN, paddingTop: RUNNING_TOP, paddingBottom: RUNNING_BOTTOM, minHeight: 792 /* LETTER.height */ },
  header: { fontSize: 8, color: "#555555" },
  footer: { fontSize: 8, color: "#555555" },
  chromeSpacer: { flexGrow: 1 },
  paragraph: { marginBottom: 5 },
  // react-pdf resolves a unitless lineHeight against its default 18 pt unless the same style sets
  // fontSize (the page's inherited size comes too late): without it lines were 24 pt apart.
  bodyParagraph: { marginBottom: 5, fontSize: BASE_FONT_SIZE, lineHeight: 1.35 },
  listParagraph: { marginBottom: 1, fontSize: BASE_FONT_SIZE, lineHeight: 1.35 },
  headingLarge: { marginTop: 10, marginBottom: 4 },
  headingSmall: { marginTop: 6, marginBottom: 4 },
  // Borders live on rows and cells, never on the table: a table split over pages would otherwise
  // draw its left border down to the bottom margin. Each row carries its top line, so the part
  // continued on the next page starts closed.
  table: { marginBottom: 8 },
  row: { flexDirection: "row", borderTopWidth: 0.75, borderLeftWidth: 0.75, borderColor: "#b5b5b5" },
  headerRow: { flexDirection: "row", borderTopWidth: 0.75, borderLeftWidth: 0.75, borderColor: "#b5b5b5", backgroundColor: "#ececec" },
  lastRow: { borderBottomWidth: 0.75 },
  cell: { borderRightWidth: 0.75, borderColor: "#b5b5b5", paddingVertical: 3, paddingHorizontal: 4 },
  list: { marginBottom: 5 },
  listItem: { flexDirection: "row", marginBottom: 2 },
  bullet: { width: 14 },
  wideBullet: { width: 20 },
  listBody: { flexGrow: 1, flexShrink: 1 },
  rule: { borderBottomWidth: 0.75, borderColor: RULE_COLOR, marginVertical: 6 },
  chartTitle: { fontFamily: "Helvetica-Bold", marginBottom: 2 },
  chartLabels: { flexDirection: "row", justifyContent: "space-between", width: CHART_WIDTH, fontSize: 7, color: "#555555", marginBottom: 8 },
});

type TPageInfo = { pageNumber: number; totalPages: number };

function fontFamily(marks: TMarks) {
  if (marks.bold && marks.italic) return "Helvetica-BoldOblique";
  if (marks.bold) return "Helvetica-Bold";
  if (marks.italic) return "Helvetica-Oblique";

  return "Helvetica";
}

// Text styles by marks. Templates use a handful of combinations; the cap only guards against a
// template that produces a new colour/size per run (it never grows per document).
const markStyles = new Map<string, Style>();
const MARK_STYLE_CAP = 512;

function marksStyle(marks: TMarks): Style {
  const key = `${marks.bold ? 1 : 0}${marks.italic ? 1 : 0}|${marks.color ?? ""}|${marks.fontSize ?? ""}`;
  let style = markStyles.get(key);
  if (!style) {
    style = { fontFamily: fontFamily(marks), ...(marks.color ? { color: marks.color } : {}), ...(marks.fontSize ? { fontSize: marks.fontSize } : {}) };
    if (markStyles.size >= MARK_STYLE_CAP) markStyles.clear();
    markStyles.set(key, style);
  }

  return style;
}

const sameMarks = (a: TMarks, b: TMarks) => Boolean(a.bold) === Boolean(b.bold) && Boolean(a.italic) === Boolean(b.italic) && a.color === b.color && a.fontSize === b.fontSize;

function layoutStyle(style: TBlockStyle): Style | undefined {
  if (style.textAlign === undefined && style.marginTop === undefined && style.marginBottom === undefined) return undefined;

  return {
    ...(style.textAlign ? { textAlign: style.textAlign } : {}),
    ...(style.marginTop !== undefined ? { marginTop: style.marginTop } : {}),
    ...(style.marginBottom !== undefined ? { marginBottom: style.marginBottom } : {}),
  };
}

function styleList(...parts: (Style | undefined)[]): Style | Style[] {
  const present = parts.filter((part): part is Style => part !== undefined);

  return present.length === 1 ? present[0]! : present;
}

/**
 * One <Text> for a run list: the block's marks go on the outer Text, runs with the same marks are
 * plain strings, only differing runs get a nested <Text>.
 */
function InlineText({ runs, defaults, style, page }: { runs: TInline[]; defaults: TMarks; style?: Style | Style[] | undefined; page?: TPageInfo | undefined }) {
  const first = runs.find((run) => run.type !== "break") as TMarks | undefined;
  // The outer Text takes the first run's marks (the common case: a single plain run).
  const outer: TMarks = { ...defaults, ...pickMarks(first) };
  const children: ReactNode[] = [];
  runs.forEach((run, index) => {
    if (run.type === "break") {
      children.push("\n");
      return;
    }
    const text = run.type === "text" ? run.text : page ? String(run.which === "current" ? page.pageNumber : page.totalPages) : "";
    const marks = { ...defaults, ...pickMarks(run) };
    children.push(sameMarks(marks, outer) ? text : <Text key={index} style={marksStyle(marks)}>{text}</Text>);
  });
  const outerStyle = marksStyle(outer);

  return <Text style={style === undefined ? outerStyle : [...[style].flat(), outerStyle]}>{children.length === 1 && typeof children[0] === "string" ? children[0] : children}</Text>;
}

function pickMarks(run: TMarks | undefined): TMarks {
  if (!run) return {};

  return {
    ...(run.bold !== undefined ? { bold: run.bold } : {}),
    ...(run.italic !== undefined ? { italic: run.italic } : {}),
    ...(run.color !== undefined ? { color: run.color } : {}),
    ...(run.fontSize !== undefined ? { fontSize: run.fontSize } : {}),
  };
}

/** Relative column widths from the longest cell text, so narrow numeric columns stay narrow. */
function columnStyles(rows: TTableRow[]): Style[] {
  const columns = Math.max(...rows.map((row) => row.cells.length));
  const weights = new Array<number>(columns).fill(4);
  for (const row of rows) {
    row.cells.forEach((cell, index) => {
      const length = cell.children.reduce((sum, run) => sum + (run.type === "text" ? run.text.length : 2), 0);
      weights[index] = Math.max(weights[index]!, Math.min(length, 36));
    });
  }

  return weights.map((weight) => ({ flexGrow: weight, flexBasis: 0 }));
}

function TableBlock({ rows, page }: { rows: TTableRow[]; page?: TPageInfo | undefined }) {
  const columns = columnStyles(rows);
  const firstBodyRow = rows.findIndex((row) => !row.isHeader);
  const headerRows = firstBodyRow === -1 ? 0 : firstBodyRow;

  // A cell is its <Text> (borders and padding on the Text itself): no <View> per cell.
  return (
    <View style={styles.table}>
      {rows.map((row, rowIndex) => (
        <View
          key={rowIndex}
          style={styleList(row.isHeader ? styles.headerRow : styles.row, rowIndex === rows.length - 1 ? styles.lastRow : undefined)}
          wrap={false}
          // Leading header rows repeat on each page the table continues on (pdf-paginate.ts).
          fixed={rowIndex < headerRows}
        >
          {row.cells.map((cell, cellIndex) => (
            <InlineText key={cellIndex} runs={cell.children} defaults={{ bold: cell.isHeader }} page={page} style={styleList(styles.cell, columns[cellIndex], layoutStyle(cell.style))} />
          ))}
        </View>
      ))}
    </View>
  );
}

function ChartBlock({ block }: { block: Extract<TBlock, { type: "chart" }> }) {
  const max = block.max ?? Math.max(...block.points.map((p) => p.value), 1);
  const step = block.points.length > 1 ? (CHART_WIDTH - 2 * CHART_PAD) / (block.points.length - 1) : 0;
  const coordinates = block.points.map((point, index) => ({
    x: CHART_PAD + index * step,
    y: CHART_HEIGHT - CHART_PAD - (Math.max(0, Math.min(point.value, max)) / max) * (CHART_HEIGHT - 2 * CHART_PAD),
  }));
  const labelled = block.points.length <= 8 ? block.points : block.points.filter((_, i) => i === 0 || i === block.points.length - 1 || i % Math.ceil(block.points.length / 6) === 0);

  return (
    <View wrap={false}>
      {block.title ? <Text style={styles.chartTitle}>{block.title}</Text> : null}
      <Svg width={CHART_WIDTH} height={CHART_HEIGHT}>
        {[0, 0.5, 1].map((fraction) => (
          <Line key={fraction} x1={CHART_PAD} x2={CHART_WIDTH - CHART_PAD} y1={CHART_PAD + fraction * (CHART_HEIGHT - 2 * CHART_PAD)} y2={CHART_PAD + fraction * (CHART_HEIGHT - 2 * CHART_PAD)} stroke="#dddddd" strokeWidth={0.75} />
        ))}
        <Polyline points={coordinates.map((c) => `${c.x},${c.y}`).join(" ")} stroke="#2b5c8a" strokeWidth={1.5} fill="none" />
        {coordinates.map((c, index) => (
          <Circle key={index} cx={c.x} cy={c.y} r={2.5} fill="#2b5c8a" />
        ))}
      </Svg>
      <View style={styles.chartLabels}>
        {labelled.map((point, index) => (
          <Text key={index}>{`${point.label}: ${point.value}`}</Text>
        ))}
      </View>
    </View>
  );
}

type TBlockContext = { page?: TPageInfo | undefined; isRunning: boolean; inList: boolean };

function renderBlock(block: TBlock, key: string | number, ctx: TBlockContext): ReactNode {
  switch (block.type) {
    case "heading":
      return (
        <InlineText
          key={key}
          runs={block.children}
          page={ctx.page}
          defaults={{ bold: true, fontSize: HEADING_SIZE[block.level] }}
          style={styleList(block.level <= 2 ? styles.headingLarge : styles.headingSmall, layoutStyle(block.style))}
        />
      );
    case "paragraph":
      // Only in the body: running header/footer lines stay tight.
      return <InlineText key={key} runs={block.children} page={ctx.page} defaults={{}} style={styleList(ctx.isRunning ? styles.paragraph : ctx.inList ? styles.listParagraph : styles.bodyParagraph, layoutStyle(block.style))} />;
    case "list":
      return (
        <View key={key} style={styles.list}>
          {block.items.map((item, itemIndex) => (
            <View key={itemIndex} style={styles.listItem} wrap={false}>
              <Text style={block.ordered && block.items.length >= 10 ? styles.wideBullet : styles.bullet}>{block.ordered ? `${itemIndex + 1}.` : "•"}</Text>
              <View style={styles.listBody}>{blocks(item, { ...ctx, inList: true })}</View>
            </View>
          ))}
        </View>
      );
    case "table":
      return <TableBlock key={key} rows={block.rows} page={ctx.page} />;
    case "section": {
      const style = layoutStyle(block.style);

      // A plain <section> adds nothing to the layout: its blocks go straight into the parent.
      return style ? (
        <View key={key} style={style}>
          {blocks(block.children, ctx)}
        </View>
      ) : (
        blocks(block.children, ctx, key)
      );
    }
    case "rule":
      return <View key={key} style={styles.rule} />;
    case "page_break":
      return <View key={key} break />;
    case "chart":
      return <ChartBlock key={key} block={block} />;
  }
}

/** Small enough to move to the next page together with the heading above it. */
function isKeepable(block: TBlock | undefined) {
  if (!block) return false;
  if (block.type === "table") return block.rows.length <= 8;
  if (block.type === "list") return block.items.length <= 6;

  return block.type === "paragraph" || block.type === "chart";
}

/** Skip plain sections to find what a heading actually introduces. */
function firstBlock(block: TBlock | undefined): TBlock | undefined {
  return block?.type === "section" && !layoutStyle(block.style) ? firstBlock(block.children[0]) : block;
}

function blocks(list: TBlock[], ctx: TBlockContext, keyPrefix?: string | number): ReactNode[] {
  const out: ReactNode[] = [];
  const keyOf = (index: number) => (keyPrefix === undefined ? index : `${keyPrefix}.${index}`);
  for (let index = 0; index < list.length; index++) {
    const block = list[index]!;
    const next = list[index + 1];
    // Never leave a heading alone at the bottom of a page: keep it with what it introduces.
    if (block.type === "heading" && !ctx.isRunning && next?.type !== "section" && isKeepable(firstBlock(next))) {
      out.push(
        <View key={keyOf(index)} wrap={false}>
          {renderBlock(block, 0, ctx)}
          {renderBlock(next!, 1, ctx)}
        </View>,
      );
      index++;
      continue;
    }
    out.push(renderBlock(block, keyOf(index), ctx));
  }

  return out;
}

const LETTER = { width: 612, height: 792 } as const;
/** Page numbers the chrome is measured with: all digits are equally wide in Helvetica, so real numbers of up to four digits never make it taller. */
const PROBE_PAGE: TPageInfo = { pageNumber: 8888, totalPages: 8888 };
/** Least body height a page must keep once its header and footer are placed. */
const MIN_BODY_HEIGHT = 72;

/** The running header and footer of one page, with a spacer that pushes the footer to the bottom. */
function chromePage(tree: TDocumentTree, page: TPageInfo, key: number) {
  const ctx: TBlockContext = { page, isRunning: true, inList: false };

  // wrap={false}: the chrome always fits its page (layoutPages checks the body keeps room), and
  // react-pdf's pagination would otherwise lay each chrome page out a second time just to find
  // that it needs no split. Without pagination react-pdf lays the page out at its content's
  // height: the minimum height keeps the footer at the page bottom.
  return (
    <Page key={key} size="LETTER" style={styles.chromePage} wrap={false}>
      <View style={styles.header}>{blocks(tree.header, ctx)}</View>
      <View style={styles.chromeSpacer} />
      <View style={styles.footer}>{blocks(tree.footer, ctx)}</View>
    </Page>
  );
}

type TLaidOut = SafeDocumentNode;

// react-pdf's layout asks the font store to load the font of every node (after style inheritance
// every node names one): an async call, a promise and a font-family lookup per node, ~3% of the
// writer's allocations. A font that has loaded stays loaded (the writer only uses the built-in
// Helvetica family, and nothing here resets the store), so later asks get a settled promise.
const loadedFonts = new Set<string>();
const LOADED = Promise.resolve();
type TFontDescriptor = { fontFamily: string; fontStyle?: string; fontWeight?: string | number };
const fontStore: typeof Font = Object.create(Font, {
  load: {
    value: (descriptor: TFontDescriptor) => {
      const key = `${descriptor.fontFamily}|${descriptor.fontStyle ?? ""}|${descriptor.fontWeight ?? ""}`;
      if (loadedFonts.has(key)) return LOADED;

      return (Font.load as (d: TFontDescriptor) => Promise<void>)(descriptor).then(() => {
        loadedFonts.add(key);
      });
    },
  },
});

/** Lays out whatever the writer's container holds (react-pdf's own layout step, with its font store behind the load shortcut above). */
async function layoutContainer(element: ReactElement): Promise<TLaidOut> {
  writer.updateContainer(element);

  return (layoutDocument as unknown as (doc: unknown, fonts: typeof Font) => Promise<TLaidOut>)(writer.container.document, fontStore);
}

const boxHeight = (node: { box?: { height?: number } | undefined } | undefined) => node?.box?.height ?? 0;

/** Page chrome measured, body laid out once and cut into pages, chrome placed on each page. */
async function layoutPages(tree: TDocumentTree): Promise<TLaidOut> {
  const body = blocks(tree.body, { isRunning: false, inList: false });
  // The file's metadata is written by writeOne; layout only needs the pages.
  const document = (pages: ReactNode) => <Document>{pages}</Document>;
  const hasHeader = tree.header.length > 0;
  const hasFooter = tree.footer.length > 0;
  let paddingTop = PAGE_MARGIN;
  let paddingBottom = PAGE_MARGIN;
  if (hasHeader || hasFooter) {
    const probe = (await layoutContainer(document(chromePage(tree, PROBE_PAGE, 0)))).children[0]?.children ?? [];
    if (hasHeader) paddingTop = RUNNING_TOP + boxHeight(probe[0]) + RUNNING_GAP;
    if (hasFooter) paddingBottom = RUNNING_BOTTOM + boxHeight(probe[2]) + RUNNING_GAP;
    if (LETTER.height - paddingTop - paddingBottom < MIN_BODY_HEIGHT) {
      throw invalidInput("template_content", "the page header and footer leave no room for the report on the page: shorten them");
    }
  }

  // The body as one page of unbounded height (laid out once), then cut into letter pages.
  const tall = await layoutContainer(
    document(
      <Page size={{ width: LETTER.width }} style={[styles.page, { paddingTop, paddingBottom }]} wrap={false}>
        {body}
      </Page>,
    ),
  );
  const laidOut: TLaidOut = { ...tall, children: tall.children.flatMap((page) => paginateTallPage(page as unknown as TLaidOutNode, LETTER.height) as unknown as typeof page) };
  if (!hasHeader && !hasFooter) return laidOut;
  const totalPages = laidOut.children.length;
  const chrome = await layoutContainer(document(laidOut.children.map((_, index) => chromePage(tree, { pageNumber: index + 1, totalPages }, index))));
  laidOut.children.forEach((page, index) => {
    const [header, , footer] = chrome.children[index]?.children ?? [];
    const placed = [hasHeader ? header : undefined, hasFooter ? footer : undefined].filter((node) => node !== undefined);
    page.children = [...(page.children ?? []), ...placed];
  });

  return laidOut;
}

// One react-pdf instance for the life of the process (see the header comment). Documents go
// through it one at a time: the instance holds one document tree, and layout is CPU-bound anyway.
const writer = pdf();
let queue: Promise<unknown> = Promise.resolve();

// pdfkit builds a standard font's metrics (AFMFont: glyph widths and ~2,700 kerning pairs keyed
// by string) anew for every document that uses the font: ~1 ms and a few thousand short-lived
// strings per font and report. The metrics are read-only once built, so each file gets its own
// font object (its own PDF id and dictionary, as pdfkit would make) over metrics built once per
// process. Only pdfkit's 14 standard fonts, selected by name, take this path.
const STANDARD_FONT_NAMES = new Set(["Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic", "Symbol", "ZapfDingbats"]);
/** The first pdfkit StandardFont made for each name: its metrics are shared, never its document state. */
const standardFonts = new Map<string, Record<string, unknown>>();
/** What a pdfkit StandardFont holds besides its document, PDF id and dictionary (pdfkit 0.20's constructor). */
const STANDARD_FONT_FIELDS = ["name", "font", "ascender", "descender", "bbox", "lineGap", "xHeight", "capHeight"] as const;
type TFontInternals = { _fontFamilies: Record<string, unknown>; _fontCount: number; _font: Record<string, unknown> };

function shareStandardFontMetrics(file: PDFKit.PDFDocument) {
  const internals = file as unknown as TFontInternals;
  const font = file.font;
  file.font = ((src: unknown, ...rest: unknown[]) => {
    const name = typeof src === "string" && rest.length <= 1 && typeof rest[0] !== "string" && STANDARD_FONT_NAMES.has(src) ? src : undefined;
    const known = name === undefined ? undefined : standardFonts.get(name);
    if (name !== undefined && known && !internals._fontFamilies[name]) {
      // What pdfkit's font() does for a new font, minus parsing: same id sequence, same cache key.
      const own: Record<string, unknown> = Object.create(Object.getPrototypeOf(known) as object);
      for (const field of STANDARD_FONT_FIELDS) own[field] = known[field];
      own.document = file;
      own.id = `F${++internals._fontCount}`;
      internals._fontFamilies[name] = own;
    }
    const result = (font as (...args: unknown[]) => PDFKit.PDFDocument).call(file, src, ...rest);
    if (name !== undefined && !known && internals._font?.name === name) standardFonts.set(name, internals._font);

    return result;
  }) as typeof file.font;
}

/** A new PDF file and its bytes, which resolve once it is ended. */
function newPdfFile(meta: { title: string }) {
  const file = new PDFDocument({
    compress: true,
    displayTitle: true,
    autoFirstPage: false,
    // No default font at construction (pdfkit would build Helvetica's metrics there); the same
    // default is selected right below, through the shared metrics.
    font: null as unknown as string,
    info: { Title: meta.title, Producer: "CareExport", Creator: "CareExport", CreationDate: new Date() },
  });
  shareStandardFontMetrics(file);
  file.font("Helvetica");
  const chunks: Buffer[] = [];
  file.on("data", (chunk: Buffer) => chunks.push(chunk));
  const bytes = new Promise<Buffer>((resolve, reject) => {
    file.on("end", () => resolve(Buffer.concat(chunks)));
    file.on("error", reject);
  });

  return { file, bytes };
}

type TPdfFile = ReturnType<typeof newPdfFile>["file"];

/**
 * react-pdf's render step, with the plain box borders of each page painted as bands once the page's
 * other content is drawn (lib/render/pdf-borders.ts). react-pdf starts each page with addPage and
 * ends the file with end: the page before is complete at either.
 */
function drawLaidOut(file: TPdfFile, laidOut: TLaidOut) {
  const bands = laidOut.children.map((page) => takePageBorders(page as unknown as Parameters<typeof takePageBorders>[0]));
  const { addPage, end } = file;
  let current = -1;
  const finishPage = () => {
    const pageBands = bands[current];
    if (pageBands) paintBorders(file, pageBands);
  };
  file.addPage = ((...args: Parameters<typeof addPage>) => {
    finishPage();
    current++;
    return addPage.apply(file, args);
  }) as typeof addPage;
  file.end = (() => {
    finishPage();
    current = bands.length;
    return end.apply(file);
  }) as typeof end;
  try {
    renderLaidOut(file as unknown as Parameters<typeof renderLaidOut>[0], laidOut);
  } finally {
    file.addPage = addPage;
    file.end = end;
  }
}

async function writeOne(tree: TDocumentTree, meta: { title: string }): Promise<Buffer> {
  try {
    const laidOut = await layoutPages(tree);
    const { file, bytes } = newPdfFile(meta);
    drawLaidOut(file, laidOut);

    return await bytes;
  } finally {
    // Unmount, and drop the node tree react-pdf leaves on its container after an unmount.
    writer.updateContainer(null as unknown as ReactElement);
    writer.container.document = null;
  }
}

/**
 * Several documents in one file, in order, each laid out as renderPdf lays out one (its own running
 * header and footer, "page N of M" counted within it). Trees are taken one at a time, so only one
 * document's layout is held at once; the file's bytes grow with the whole.
 */
async function writeCombined(trees: AsyncIterable<TDocumentTree>, meta: { title: string }): Promise<Buffer> {
  const { file, bytes } = newPdfFile(meta);
  // react-pdf's render ends the file after its pages; here each document adds its pages to the one
  // file, which is ended once, after the last.
  const end = file.end.bind(file);
  file.end = (() => file) as typeof file.end;
  try {
    for await (const tree of trees) {
      try {
        drawLaidOut(file, await layoutPages(tree));
      } finally {
        writer.updateContainer(null as unknown as ReactElement);
        writer.container.document = null;
      }
    }
  } finally {
    file.end = end;
  }
  file.end();

  return bytes;
}

export function renderCombinedPdf(trees: AsyncIterable<TDocumentTree>, meta: { title: string }): Promise<Buffer> {
  const result = queue.then(() => writeCombined(trees, meta));
  queue = result.catch(() => undefined);

  return result;
}

export function renderPdf(tree: TDocumentTree, meta: { title: string }): Promise<Buffer> {
  const result = queue.then(() => writeOne(tree, meta));
  queue = result.catch(() => undefined);

  return result;
}
