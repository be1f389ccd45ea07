// PDF back end: document tree -> @react-pdf/renderer. Built-in Helvetica only (no font files,
// no network). Running header/footer are `fixed` views; {page}/{pages} use react-pdf's render prop.
import { Circle, Document, Font, Line, Page, Polyline, renderToBuffer, StyleSheet, Svg, Text, View } from "@react-pdf/renderer";
import type { Style } from "@react-pdf/stylesheet";
import type { ReactNode } from "react";

import { BASE_FONT_SIZE } from "@/lib/render/css";
import type { TBlock, TBlockStyle, TDocumentTree, TInline, TMarks, TTableRow } from "@/lib/render/document-tree.types";

const PAGE_MARGIN = 54;

// Clinical text reads badly hyphenated ("Ad-dress", "psycho-therapy"): wrap whole words only.
Font.registerHyphenationCallback((word) => [word]);
const HEADING_SIZE = { 1: 18, 2: 14, 3: 12, 4: 11 } as const;
const TEXT_COLOR = "#1a1a1a";
const RULE_COLOR = "#9a9a9a";

const styles = StyleSheet.create({
  page: { fontFamily: "Helvetica", fontSize: BASE_FONT_SIZE, color: TEXT_COLOR, paddingHorizontal: PAGE_MARGIN },
  running: { position: "absolute", left: PAGE_MARGIN, right: PAGE_MARGIN, fontSize: 8, color: "#555555" },
  paragraph: { marginBottom: 5 },
  // Only in the body: with a lineHeight, react-pdf 4.9 drops a bottom-anchored footer whose
  // text uses the render prop (page numbers).
  bodyLines: { lineHeight: 1.35 },
  table: { borderTopWidth: 0.75, borderLeftWidth: 0.75, borderColor: "#b5b5b5", marginBottom: 8 },
  row: { flexDirection: "row" },
  headerRow: { backgroundColor: "#ececec" },
  cell: { borderRightWidth: 0.75, borderBottomWidth: 0.75, borderColor: "#b5b5b5", paddingVertical: 3, paddingHorizontal: 4 },
  listItem: { flexDirection: "row", marginBottom: 2 },
  bullet: { width: 14 },
  rule: { borderBottomWidth: 0.75, borderColor: RULE_COLOR, marginVertical: 6 },
  chartTitle: { fontFamily: "Helvetica-Bold", marginBottom: 2 },
  chartLabels: { flexDirection: "row", justifyContent: "space-between", width: 360, fontSize: 7, color: "#555555", marginBottom: 8 },
});

function fontFamily(marks: TMarks) {
  if (marks.bold && marks.italic) return "Helvetica-BoldOblique";
  if (marks.bold) return "Helvetica-Bold";
  if (marks.italic) return "Helvetica-Oblique";

  return "Helvetica";
}

function runStyle(marks: TMarks, defaults: TMarks): Style {
  const merged = { ...defaults, ...marks };

  return { fontFamily: fontFamily(merged), ...(merged.color ? { color: merged.color } : {}), ...(merged.fontSize ? { fontSize: merged.fontSize } : {}) };
}

function layoutStyle(style: TBlockStyle): Style {
  return {
    ...(style.textAlign ? { textAlign: style.textAlign } : {}),
    ...(style.marginTop !== undefined ? { marginTop: style.marginTop } : {}),
    ...(style.marginBottom !== undefined ? { marginBottom: style.marginBottom } : {}),
  };
}

function pageText(children: TInline[], pageNumber: number, totalPages: number) {
  return children.map((run) => (run.type === "text" ? run.text : run.type === "break" ? "\n" : String(run.which === "current" ? pageNumber : totalPages))).join("");
}

function InlineText({ children, defaults, style, minPresenceAhead }: { children: TInline[]; defaults: TMarks; style: Style | Style[]; minPresenceAhead?: number }) {
  if (children.some((run) => run.type === "page_number")) {
    const first = children.find((run) => run.type !== "break") as TMarks | undefined;

    return <Text style={[...[style].flat(), runStyle(first ?? {}, defaults)]} render={({ pageNumber, totalPages }) => pageText(children, pageNumber, totalPages ?? pageNumber)} />;
  }

  return (
    <Text style={[...[style].flat(), runStyle({}, defaults)]} minPresenceAhead={minPresenceAhead}>
      {children.map((run, index) => (run.type === "break" ? "\n" : run.type === "text" ? <Text key={index} style={runStyle(run, defaults)}>{run.text}</Text> : null))}
    </Text>
  );
}

/** Relative column widths from the longest cell text, so narrow numeric columns stay narrow. */
function columnWeights(rows: TTableRow[]) {
  const columns = Math.max(...rows.map((row) => row.cells.length));
  const weights = new Array<number>(columns).fill(4);
  for (const row of rows) {
    row.cells.forEach((cell, index) => {
      const length = cell.children.reduce((sum, run) => sum + (run.type === "text" ? run.text.length : 2), 0);
      weights[index] = Math.max(weights[index]!, Math.min(length, 36));
    });
  }

  return weights;
}

function TableBlock({ rows }: { rows: TTableRow[] }) {
  const weights = columnWeights(rows);

  return (
    <View style={styles.table}>
      {rows.map((row, rowIndex) => (
        <View key={rowIndex} style={row.isHeader ? [styles.row, styles.headerRow] : styles.row} wrap={false}>
          {row.cells.map((cell, cellIndex) => (
            <View key={cellIndex} style={[styles.cell, { flexGrow: weights[cellIndex] ?? 4, flexBasis: 0 }]}>
              <InlineText defaults={{ bold: cell.isHeader }} style={layoutStyle(cell.style)}>{cell.children}</InlineText>
            </View>
          ))}
        </View>
      ))}
    </View>
  );
}

function ChartBlock({ block }: { block: Extract<TBlock, { type: "chart" }> }) {
  const width = 360;
  const height = 110;
  const pad = 8;
  const max = block.max ?? Math.max(...block.points.map((p) => p.value), 1);
  const step = block.points.length > 1 ? (width - 2 * pad) / (block.points.length - 1) : 0;
  const coordinates = block.points.map((point, index) => ({
    x: pad + index * step,
    y: height - pad - (Math.max(0, Math.min(point.value, max)) / max) * (height - 2 * pad),
  }));
  const labelled = block.points.length <= 8 ? block.points : block.points.filter((_, i) => i === 0 || i === block.points.length - 1 || i % Math.ceil(block.points.length / 6) === 0);

  return (
    <View wrap={false}>
      {block.title ? <Text style={styles.chartTitle}>{block.title}</Text> : null}
      <Svg width={width} height={height}>
        {[0, 0.5, 1].map((fraction) => (
          <Line key={fraction} x1={pad} x2={width - pad} y1={pad + fraction * (height - 2 * pad)} y2={pad + fraction * (height - 2 * pad)} stroke="#dddddd" strokeWidth={0.75} />
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

function renderBlock(block: TBlock, index: number, isRunning: boolean, inList: boolean): ReactNode {
  switch (block.type) {
    case "heading":
      return (
        <InlineText key={index} minPresenceAhead={48} defaults={{ bold: true, fontSize: HEADING_SIZE[block.level] }} style={[{ marginTop: block.level <= 2 ? 10 : 6, marginBottom: 4 }, layoutStyle(block.style)]}>
          {block.children}
        </InlineText>
      );
    case "paragraph":
      return <InlineText key={index} defaults={{}} style={[styles.paragraph, ...(isRunning ? [] : [styles.bodyLines]), ...(inList ? [{ marginBottom: 1 }] : []), layoutStyle(block.style)]}>{block.children}</InlineText>;
    case "list":
      return (
        <View key={index} style={{ marginBottom: 5 }}>
          {block.items.map((item, itemIndex) => (
            <View key={itemIndex} style={styles.listItem} wrap={false}>
              <Text style={styles.bullet}>{block.ordered ? `${itemIndex + 1}.` : "•"}</Text>
              <View style={{ flex: 1 }}>
                <Blocks blocks={item} isRunning={isRunning} inList />
              </View>
            </View>
          ))}
        </View>
      );
    case "table":
      return <TableBlock key={index} rows={block.rows} />;
    case "section":
      return (
        <View key={index} style={layoutStyle(block.style)}>
          <Blocks blocks={block.children} isRunning={isRunning} />
        </View>
      );
    case "rule":
      return <View key={index} style={styles.rule} />;
    case "page_break":
      return <View key={index} break />;
    case "chart":
      return <ChartBlock key={index} block={block} />;
  }
}

/** Small enough to move to the next page together with the heading above it. */
function isKeepable(block: TBlock | undefined) {
  if (!block) return false;
  if (block.type === "table") return block.rows.length <= 8;
  if (block.type === "list") return block.items.length <= 6;

  return block.type === "paragraph" || block.type === "chart";
}

function Blocks({ blocks, isRunning = false, inList = false }: { blocks: TBlock[]; isRunning?: boolean; inList?: boolean }): ReactNode {
  const out: ReactNode[] = [];
  for (let index = 0; index < blocks.length; index++) {
    const block = blocks[index]!;
    const next = blocks[index + 1];
    // Never leave a heading alone at the bottom of a page: keep it with what it introduces.
    if (block.type === "heading" && !isRunning && isKeepable(next)) {
      out.push(
        <View key={index} wrap={false}>
          {renderBlock(block, 0, isRunning, inList)}
          {renderBlock(next!, 1, isRunning, inList)}
        </View>,
      );
      index++;
      continue;
    }
    out.push(renderBlock(block, index, isRunning, inList));
  }

  return out;
}

/** Rough height of a running header/footer, so the body never runs under it. */
function runningHeight(blocks: TBlock[]) {
  const lines = blocks.reduce((sum, block) => sum + (block.type === "paragraph" || block.type === "heading" ? 1 + block.children.filter((r) => r.type === "break").length : block.type === "rule" ? 0.5 : 1), 0);

  return lines * 12 + 6;
}

export async function renderPdf(tree: TDocumentTree, meta: { title: string }): Promise<Buffer> {
  const top = tree.header.length ? 28 + runningHeight(tree.header) : PAGE_MARGIN;
  const bottom = tree.footer.length ? 28 + runningHeight(tree.footer) : PAGE_MARGIN;

  return renderToBuffer(
    <Document title={meta.title} producer="CareExport" creator="CareExport">
      <Page size="LETTER" style={[styles.page, { paddingTop: top, paddingBottom: bottom }]}>
        {tree.header.length ? (
          <View fixed style={[styles.running, { top: 24 }]}>
            <Blocks blocks={tree.header} isRunning />
          </View>
        ) : null}
        <Blocks blocks={tree.body} />
        {tree.footer.length ? (
          <View fixed style={[styles.running, { bottom: 20 }]}>
            <Blocks blocks={tree.footer} isRunning />
          </View>
        ) : null}
      </Page>
    </Document>,
  );
}
