// DOCX back end: document tree -> docx. Running header/footer become Word headers/footers, with
// real PAGE / NUMPAGES fields for {page}/{pages}, so Word keeps them right after edits.
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  LevelFormat,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from "docx";

import { BASE_FONT_SIZE } from "@/lib/render/css";
import type { TBlock, TBlockStyle, TInline, TMarks, TTextAlign } from "@/lib/render/document-tree.types";

const ORDERED_LIST = "careexport-ordered";
const HEADING_LEVELS = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3, 4: HeadingLevel.HEADING_4 } as const;
const HEADING_SIZE = { 1: 18, 2: 14, 3: 12, 4: 11 } as const;
const ALIGNMENT: Record<TTextAlign, (typeof AlignmentType)[keyof typeof AlignmentType]> = {
  left: AlignmentType.LEFT,
  center: AlignmentType.CENTER,
  right: AlignmentType.RIGHT,
  justify: AlignmentType.JUSTIFIED,
};
const CELL_BORDER = { style: BorderStyle.SINGLE, size: 4, color: "B5B5B5" };
// Borders and cell margins are set once on the table (w:tblBorders / w:tblCellMar), not per cell.
const TABLE_BORDERS = { top: CELL_BORDER, bottom: CELL_BORDER, left: CELL_BORDER, right: CELL_BORDER, insideHorizontal: CELL_BORDER, insideVertical: CELL_BORDER };
const TABLE_CELL_MARGINS = { top: 40, bottom: 40, left: 80, right: 80 };
const HEADER_SHADING = { type: ShadingType.CLEAR, color: "auto", fill: "ECECEC" };
const DOCUMENT_STYLES = { default: { document: { run: { font: "Helvetica", size: BASE_FONT_SIZE * 2 } } } };
const NUMBERING = {
  config: [
    {
      reference: ORDERED_LIST,
      levels: Array.from({ length: 9 }, (_, level) => ({
        level,
        format: LevelFormat.DECIMAL,
        text: `%${level + 1}.`,
        alignment: AlignmentType.START,
        style: { paragraph: { indent: { left: 720 * (level + 1), hanging: 360 } } },
      })),
    },
  ],
};

type TDocxChild = Paragraph | Table;

/** Each ordered list gets its own numbering instance, so every list counts from 1. */
type TState = { nextListInstance: number };

function runsOf(children: TInline[], defaults: TMarks): TextRun[] {
  return children.map((run) => {
    if (run.type === "break") return new TextRun({ break: 1 });
    const marks = { ...defaults, ...run };
    // Only what differs from the document default: every explicit <w:b w:val="false"/> is an
    // object to build and an element to write, per run.
    const format = {
      ...(marks.bold || (marks.bold === false && defaults.bold) ? { bold: marks.bold } : {}),
      ...(marks.italic || (marks.italic === false && defaults.italic) ? { italics: marks.italic } : {}),
      ...(marks.color ? { color: marks.color.slice(1) } : {}),
      ...(marks.fontSize ? { size: Math.round(marks.fontSize * 2) } : {}),
    };
    if (run.type === "page_number") return new TextRun({ ...format, children: [run.which === "current" ? PageNumber.CURRENT : PageNumber.TOTAL_PAGES] });

    return new TextRun({ ...format, text: run.text });
  });
}

function paragraphLayout(style: TBlockStyle, defaultAfter = 100) {
  return {
    ...(style.textAlign ? { alignment: ALIGNMENT[style.textAlign] } : {}),
    // Points -> twentieths of a point.
    spacing: { before: Math.round((style.marginTop ?? 0) * 20), after: style.marginBottom !== undefined ? Math.round(style.marginBottom * 20) : defaultAfter },
  };
}

function blocksToDocx(blocks: TBlock[], state: TState, listLevel = 0): TDocxChild[] {
  const out: TDocxChild[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case "heading":
        out.push(new Paragraph({ heading: HEADING_LEVELS[block.level], children: runsOf(block.children, { bold: true, fontSize: HEADING_SIZE[block.level], color: "#1a1a1a" }), ...paragraphLayout(block.style, 80) }));
        break;
      case "paragraph":
        out.push(new Paragraph({ children: runsOf(block.children, {}), ...paragraphLayout(block.style) }));
        break;
      case "section":
        out.push(...blocksToDocx(block.children, state, listLevel));
        break;
      case "list": {
        const instance = state.nextListInstance++;
        for (const item of block.items) {
          // The item's first paragraph carries the bullet/number; the rest are indented under it.
          item.forEach((inner, innerIndex) => {
            if (inner.type === "list") {
              out.push(...blocksToDocx([inner], state, Math.min(listLevel + 1, 8)));
              return;
            }
            const children = inner.type === "heading" || inner.type === "paragraph" ? runsOf(inner.children, inner.type === "heading" ? { bold: true } : {}) : [];
            if (inner.type !== "heading" && inner.type !== "paragraph") {
              out.push(...blocksToDocx([inner], state, listLevel));
              return;
            }
            const marker = innerIndex > 0 ? { indent: { left: 720 * (listLevel + 1) } } : block.ordered ? { numbering: { reference: ORDERED_LIST, level: listLevel, instance } } : { bullet: { level: listLevel } };
            out.push(new Paragraph({ children, ...marker, spacing: { after: 40 } }));
          });
        }
        break;
      }
      case "table": {
        const columns = Math.max(...block.rows.map((row) => row.cells.length));
        out.push(
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            borders: TABLE_BORDERS,
            margins: TABLE_CELL_MARGINS,
            rows: block.rows.map(
              (row) =>
                new TableRow({
                  ...(row.isHeader ? { tableHeader: true } : {}),
                  cantSplit: true,
                  children: row.cells.map(
                    (cell, index) =>
                      new TableCell({
                        ...(row.isHeader ? { shading: HEADER_SHADING } : {}),
                        ...(index === row.cells.length - 1 && row.cells.length < columns ? { columnSpan: columns - row.cells.length + 1 } : {}),
                        children: [new Paragraph({ children: runsOf(cell.children, { bold: cell.isHeader }), ...(cell.style.textAlign ? { alignment: ALIGNMENT[cell.style.textAlign] } : {}) })],
                      }),
                  ),
                }),
            ),
          }),
          new Paragraph({ children: [], spacing: { after: 80 } }),
        );
        break;
      }
      case "rule":
        out.push(new Paragraph({ children: [], border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: "9A9A9A", space: 1 } }, spacing: { after: 120 } }));
        break;
      case "page_break":
        out.push(new Paragraph({ children: [new PageBreak()] }));
        break;
      case "chart": {
        // Word has no cheap native chart here: write the trend as one readable line.
        const trend = block.points.map((point) => `${point.value} (${point.label})`).join(" → ");
        out.push(new Paragraph({ children: [new TextRun({ text: block.title ? `${block.title}: ` : "", bold: true }), new TextRun({ text: trend, italics: true })], spacing: { after: 100 } }));
        break;
      }
    }
  }

  return out;
}

export async function renderDocx(tree: { header: TBlock[]; footer: TBlock[]; body: TBlock[] }, meta: { title: string }): Promise<Buffer> {
  const state: TState = { nextListInstance: 1 };
  const small = (blocks: TBlock[]) => blocksToDocx(blocks, state).filter((child): child is Paragraph | Table => Boolean(child));
  const document = new Document({
    title: meta.title,
    creator: "CareExport",
    styles: DOCUMENT_STYLES,
    numbering: NUMBERING,
    sections: [
      {
        properties: { page: { margin: { top: 1080, bottom: 1080, left: 1080, right: 1080 } } },
        ...(tree.header.length ? { headers: { default: new Header({ children: small(tree.header) }) } } : {}),
        ...(tree.footer.length ? { footers: { default: new Footer({ children: small(tree.footer) }) } } : {}),
        children: blocksToDocx(tree.body, state),
      },
    ],
  });

  return Packer.toBuffer(document);
}
