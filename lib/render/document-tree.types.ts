// The one document tree every back end writes. parseHtmlDocument() builds it from the HTML
// subset templates produce; pdf.tsx and docx.ts turn it into files. No back end sees HTML.

export type TTextAlign = "left" | "center" | "right" | "justify";

/** Character formatting, inherited from enclosing elements (CSS inheritance, simplified). */
export type TMarks = {
  bold?: boolean;
  italic?: boolean;
  /** "#rrggbb" */
  color?: string;
  /** Points. */
  fontSize?: number;
};

export type TInline =
  | ({ type: "text"; text: string } & TMarks)
  | { type: "break" }
  /** `{page}` / `{pages}` in a running header or footer. */
  | ({ type: "page_number"; which: "current" | "total" } & TMarks);

/** Paragraph-level layout. Margins in points. */
export type TBlockStyle = {
  textAlign?: TTextAlign;
  marginTop?: number;
  marginBottom?: number;
};

export type TTableCell = { isHeader: boolean; children: TInline[]; style: TBlockStyle };
export type TTableRow = { isHeader: boolean; cells: TTableCell[] };

export type TChartPoint = { label: string; value: number };

export type TBlock =
  | { type: "heading"; level: 1 | 2 | 3 | 4; children: TInline[]; style: TBlockStyle }
  | { type: "paragraph"; children: TInline[]; style: TBlockStyle }
  | { type: "list"; ordered: boolean; items: TBlock[][] }
  | { type: "table"; rows: TTableRow[] }
  | { type: "section"; children: TBlock[]; style: TBlockStyle }
  | { type: "rule" }
  | { type: "page_break" }
  | { type: "chart"; kind: "line"; title: string | null; max: number | null; points: TChartPoint[] };

export type TDocumentTree = {
  /** Repeated at the top of every page (`<header>`). */
  header: TBlock[];
  /** Repeated at the bottom of every page (`<footer>`). */
  footer: TBlock[];
  body: TBlock[];
};
