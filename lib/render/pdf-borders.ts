// Box borders of a laid-out PDF page drawn as filled bands, one path per colour and page, instead
// of by react-pdf's renderer.
//
// Why: react-pdf draws every border side of every node on its own, as a clip path (four Bézier
// curves even at radius 0, plus a triangle per join) and a stroke twice the border's width, each
// wrapped in save/restore. A report's tables give ~400 bordered nodes per document, so that was
// ~13% of the writer's allocations and ~4% of its CPU (BENCHMARKS.md, "PDF writer speed"), plus the
// content-stream bytes pdfkit deflates. A solid, square border of one colour covers exactly the
// inner band of each side (react-pdf's stroke is clipped to it), and the bands of all sides of one
// colour together cover the same area whatever the joins: so a rectangle per side, filled in one
// path, paints the same pixels.
//
// Only the common case is taken over: solid (or unset) style, no border radius, no opacity, a
// plain colour, every side with a width in one colour, and no transform or clipping on the node
// or above it. Anything else is left to react-pdf untouched.
//
// The bands are painted after the page's other content. That paints the same as react-pdf's
// order (own background, own borders, then children) because nothing is drawn over a node's
// border band: yoga lays children out inside it, and the report writer uses no negative margins
// or absolute positions.

type TRect = [x: number, y: number, width: number, height: number];
type TBorderBox = {
  left?: number;
  top?: number;
  width?: number;
  height?: number;
  borderTopWidth?: number;
  borderRightWidth?: number;
  borderBottomWidth?: number;
  borderLeftWidth?: number;
};
type TNode = { type?: string; box?: TBorderBox | undefined; style?: Record<string, unknown> | undefined; children?: TNode[] | undefined };

const SIDES = ["Top", "Right", "Bottom", "Left"] as const;
const PLAIN_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const RADII = ["borderTopLeftRadius", "borderTopRightRadius", "borderBottomRightRadius", "borderBottomLeftRadius"] as const;

/** Text instances (strings) have no box; Text and Svg nodes draw their own content, not child nodes. */
const drawsChildren = (node: TNode) => node.type !== "TEXT" && node.type !== "SVG";
const alters = (node: TNode) => node.style?.transform !== undefined || node.style?.overflow === "hidden";

/** The node's border colour if it qualifies (see the header), else undefined. */
function plainBorderColor(node: TNode): string | undefined {
  const { box, style } = node;
  if (!box || !style) return undefined;
  if (style.opacity !== undefined) return undefined;
  if (RADII.some((radius) => style[radius] !== undefined && style[radius] !== 0)) return undefined;
  let color: string | undefined;
  for (const side of SIDES) {
    if (!box[`border${side}Width`]) continue;
    const sideStyle = style[`border${side}Style`];
    const sideColor = style[`border${side}Color`];
    if (sideStyle !== undefined && sideStyle !== "solid") return undefined;
    if (typeof sideColor !== "string" || !PLAIN_COLOR.test(sideColor)) return undefined;
    if (color !== undefined && sideColor.toLowerCase() !== color) return undefined;
    color = sideColor.toLowerCase();
  }

  return color;
}

/**
 * Takes the qualifying borders off a laid-out page: returns their bands (page coordinates, by
 * colour) and gives each such node a box without border widths, so react-pdf's renderer skips
 * them. Boxes are replaced, never changed in place: pagination may share nodes between pages
 * (a table's repeated header rows).
 */
export function takePageBorders(page: TNode): Map<string, TRect[]> {
  const bands = new Map<string, TRect[]>();
  const taken: TNode[] = [];
  // renderNode draws a node's borders in its parent's frame; renderChildren then moves the frame
  // by the node's own left/top for its children.
  const visit = (node: TNode, x: number, y: number) => {
    const box = node.box;
    if (!box) return;
    const color = plainBorderColor(node);
    if (color !== undefined) {
      const left = x + (box.left ?? 0);
      const top = y + (box.top ?? 0);
      const width = box.width ?? 0;
      const height = box.height ?? 0;
      const rects = bands.get(color) ?? [];
      if (box.borderTopWidth) rects.push([left, top, width, box.borderTopWidth]);
      if (box.borderRightWidth) rects.push([left + width - box.borderRightWidth, top, box.borderRightWidth, height]);
      if (box.borderBottomWidth) rects.push([left, top + height - box.borderBottomWidth, width, box.borderBottomWidth]);
      if (box.borderLeftWidth) rects.push([left, top, box.borderLeftWidth, height]);
      bands.set(color, rects);
      taken.push(node);
    }
    if (!drawsChildren(node) || alters(node)) return;
    for (const child of node.children ?? []) visit(child, x + (box.left ?? 0), y + (box.top ?? 0));
  };
  if (!alters(page)) for (const child of page.children ?? []) visit(child, page.box?.left ?? 0, page.box?.top ?? 0);
  // After the whole page is measured: a node met twice must give its bands both times.
  for (const node of taken) node.box = { ...node.box, borderTopWidth: 0, borderRightWidth: 0, borderBottomWidth: 0, borderLeftWidth: 0 };

  return bands;
}

type TPainter = {
  save(): unknown;
  restore(): unknown;
  fillColor(color: string): unknown;
  rect(x: number, y: number, width: number, height: number): unknown;
  fill(): unknown;
};

/** Paints the bands on the current page: one path and one fill per colour. */
export function paintBorders(file: TPainter, bands: Map<string, TRect[]>) {
  for (const [color, rects] of bands) {
    if (rects.length === 0) continue;
    file.save();
    file.fillColor(color);
    for (const [x, y, width, height] of rects) file.rect(x, y, width, height);
    file.fill();
    file.restore();
  }
}
