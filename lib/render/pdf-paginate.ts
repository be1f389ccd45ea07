// Page breaking for the PDF back end, over a body react-pdf has already laid out as one tall page.
//
// Why not react-pdf's own pagination: it lays each output page out again (styles, yoga) after
// splitting, which on a 5-page report cost as much as the layout itself. The tall page is laid out
// once; here it is cut into pages by moving what react-pdf measured, never measuring again:
// - a cut falls between blocks, between table rows and list items, or between the lines of a
//   paragraph (never leaving one line alone at either side when the paragraph has four or more);
// - a block marked `wrap={false}` (a table row, a list item, a heading kept with what follows it,
//   a chart) moves whole to the next page, unless it is taller than a page: then it is cut too,
//   each cell of a row between its lines, so nothing is ever lost off a page;
// - a node with `break` starts a new page;
// - the leading `fixed` children of a container (a table's header rows) are repeated at the top of
//   each page the container continues on, and never left alone at the bottom of one.
// Coordinates below are absolute in the tall page; react-pdf boxes are relative to their parent's
// border box, and are converted back when a page's nodes are cloned.

// Yoga lays out in 32-bit floats: 300 pages down the tall page (~240,000 pt) a position is good to
// ~0.02 pt, so positions that should be equal are compared with this much slack.
const EPSILON = 0.25;
/** Fewest lines of a paragraph left at the bottom of a page or carried to the next (react-pdf's defaults). */
const ORPHANS = 2;
const WIDOWS = 2;

type TBox = {
  top: number;
  height: number;
  paddingTop?: number | undefined;
  paddingBottom?: number | undefined;
  borderTopWidth?: number | undefined;
  borderBottomWidth?: number | undefined;
  [key: string]: unknown;
};
type TLine = { box: { y: number; height: number } };
export type TLaidOutNode = {
  type: string;
  box?: TBox | undefined;
  style?: Record<string, unknown> | undefined;
  props?: Record<string, unknown> | undefined;
  children?: TLaidOutNode[] | undefined;
  lines?: TLine[] | undefined;
};

const isText = (node: TLaidOutNode) => node.type === "TEXT";
const height = (node: TLaidOutNode) => node.box?.height ?? 0;
const keepsTogether = (node: TLaidOutNode) => node.props?.wrap === false || node.type === "SVG" || node.type === "IMAGE";
const hasChildren = (node: TLaidOutNode) => !isText(node) && (node.children?.length ?? 0) > 0;
const startsPage = (node: TLaidOutNode) => node.props?.break === true;

/** How many leading children repeat on each page the node continues on (a table's header rows). */
function headCount(node: TLaidOutNode): number {
  if (isText(node)) return 0;
  const children = node.children ?? [];
  let count = 0;
  while (count < children.length - 1 && children[count]!.props?.fixed === true) count++;

  return count;
}

type TRepeat = { node: TLaidOutNode; height: number; offset: number };

/** Absolute top of each line of a text node (the renderer draws line k at top + paddingTop + (y_k - y_0)). */
function lineTops(node: TLaidOutNode, top: number): number[] {
  const lines = node.lines ?? [];
  const origin = top + (node.box?.paddingTop ?? 0) - (lines[0]?.box.y ?? 0);

  return lines.map((line) => origin + line.box.y);
}

/** How many lines of a paragraph stay above `cut`, keeping orphans and widows when the page has room. */
function linesAbove(node: TLaidOutNode, top: number, cut: number, pageStart: number): number {
  const lines = node.lines ?? [];
  const tops = lineTops(node, top);
  let fit = 0;
  while (fit < lines.length && tops[fit]! + lines[fit]!.box.height <= cut + EPSILON) fit++;
  if (fit === lines.length) return fit; // only its padding or a stretched box reaches past the cut
  if (top <= pageStart + EPSILON) return Math.max(fit, 1); // the paragraph already starts the page: cut where it must
  if (lines.length < ORPHANS + WIDOWS) return 0;
  if (fit < ORPHANS) return 0;
  if (lines.length - fit < WIDOWS) return Math.max(lines.length - WIDOWS, 0) >= ORPHANS ? lines.length - WIDOWS : 0;

  return fit;
}

/**
 * The lowest y at or above `limit` where the nodes (siblings, absolute tops given) can be cut. In a
 * row each straddling cell lowers the cut to its own line boundary; a cell's line that then
 * straddles the lower cut stays whole on the page it started on (it ends above `limit`).
 */
function cutAmong(nodes: TLaidOutNode[], tops: number[], limit: number, pageStart: number): number {
  let cut = limit;
  nodes.forEach((node, index) => {
    const top = tops[index]!;
    if (top < cut - EPSILON && top + height(node) > cut + EPSILON) cut = Math.min(cut, cutNode(node, top, cut, pageStart));
  });

  return cut;
}

function childTops(node: TLaidOutNode, top: number): number[] {
  return (node.children ?? []).map((child) => top + (child.box?.top ?? 0));
}

/** Where a node straddling `limit` can be cut (at most `limit`); its top means "move it to the next page". */
function cutNode(node: TLaidOutNode, top: number, limit: number, pageStart: number): number {
  const moveable = top > pageStart + EPSILON;
  if (keepsTogether(node) && moveable) return top;
  if (isText(node)) {
    const lines = node.lines ?? [];
    const kept = linesAbove(node, top, limit, pageStart);
    if (kept === 0) return moveable ? top : limit;
    if (kept >= lines.length) return limit;

    return lineTops(node, top)[kept]!;
  }
  if (!hasChildren(node)) return moveable ? top : limit;
  const tops = childTops(node, top);
  const cut = cutAmong(node.children!, tops, limit, pageStart);
  // Nothing of the node's content stays above the cut (its top padding, or only its header rows):
  // move all of it.
  const firstContent = Math.min(...tops.slice(headCount(node)));

  return moveable && cut <= firstContent + EPSILON ? top : cut;
}

/** The first forced break (`break` prop) strictly inside (from, to), at any depth. */
function forcedBreak(nodes: TLaidOutNode[], tops: number[], from: number, to: number): number | undefined {
  let found: number | undefined;
  nodes.forEach((node, index) => {
    const top = tops[index]!;
    if (top >= to || top + height(node) < from) return;
    if (startsPage(node) && top > from + EPSILON) found = Math.min(found ?? top, top);
    if (hasChildren(node)) {
      const inner = forcedBreak(node.children!, childTops(node, top), from, to);
      if (inner !== undefined) found = Math.min(found ?? inner, inner);
    }
  });

  return found;
}

/** Where the content below `y` resumes (skipping the gap a cut between blocks leaves). */
function resumeAt(nodes: TLaidOutNode[], tops: number[], y: number): number {
  let resume = Infinity;
  nodes.forEach((node, index) => {
    const top = tops[index]!;
    const bottom = top + height(node);
    if (bottom <= y + EPSILON && !(height(node) === 0 && top >= y - EPSILON)) return;
    if (top >= y - EPSILON) resume = Math.min(resume, top);
    else if (isText(node)) resume = Math.min(resume, lineTops(node, top).find((lineTop) => lineTop >= y - EPSILON) ?? bottom);
    else if (hasChildren(node) && !node.style?.backgroundColor && !(node.box?.borderTopWidth || node.box?.borderBottomWidth)) resume = Math.min(resume, resumeAt(node.children!, childTops(node, top), y));
    else resume = Math.min(resume, y);
  });

  return resume;
}

/** The container continuing across `y` whose header rows ended above it: they repeat at the page top. */
function repeatAt(nodes: TLaidOutNode[], tops: number[], y: number): TRepeat | null {
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index]!;
    const top = tops[index]!;
    if (!(top < y - EPSILON && top + height(node) > y + EPSILON) || !hasChildren(node)) continue;
    const inner = childTops(node, top);
    const count = headCount(node);
    if (count > 0) {
      const headTop = inner[0]!;
      const headBottom = inner[count - 1]! + height(node.children![count - 1]!);
      if (headBottom <= y + EPSILON) return { node, height: headBottom - headTop, offset: headTop - top };
    }
    return repeatAt(node.children!, inner, y);
  }

  return null;
}

/** The part of a node inside [from, to), positioned relative to its parent's new absolute top. */
function clip(node: TLaidOutNode, top: number, from: number, to: number, parentTop: number, repeat: TRepeat | null = null): TLaidOutNode | null {
  const bottom = top + height(node);
  if (top >= to - EPSILON) return null;
  if (height(node) > 0 ? bottom <= from + EPSILON : top < from - EPSILON) return null;
  const cutAbove = top < from - EPSILON;
  const cutBelow = bottom > to + EPSILON;
  if (!cutAbove && !cutBelow) return { ...node, box: { ...node.box!, top: top - parentTop } };
  // A continued table starts with its header rows again: its box begins that much above `from`.
  const repeated = repeat?.node === node ? repeat : null;
  const newTop = Math.max(top, from) - (repeated?.height ?? 0);
  const newBottom = Math.min(bottom, to);
  const box: TBox = { ...node.box!, top: newTop - parentTop, height: newBottom - newTop };
  const style = { ...node.style };
  // The edges a cut opens get no border or padding (react-pdf's own split does the same).
  if (cutAbove) {
    Object.assign(box, { paddingTop: 0, borderTopWidth: 0 });
    Object.assign(style, { marginTop: 0, paddingTop: 0, borderTopWidth: 0 });
  }
  if (cutBelow) {
    Object.assign(box, { paddingBottom: 0, borderBottomWidth: 0 });
    Object.assign(style, { marginBottom: 0, paddingBottom: 0, borderBottomWidth: 0 });
  }
  if (isText(node)) {
    const tops = lineTops(node, top);
    const lines = (node.lines ?? []).filter((_, index) => tops[index]! >= from - EPSILON && tops[index]! < to - EPSILON);

    return { ...node, box, style, lines };
  }
  if (!hasChildren(node)) return { ...node, box, style };
  const tops = childTops(node, top);
  const children = node.children!.map((child, index) => clip(child, tops[index]!, from, to, newTop, repeat)).filter((child): child is TLaidOutNode => child !== null);
  if (repeated) {
    const head = node.children!.slice(0, headCount(node)).map((child, index) => ({ ...child, box: { ...child.box!, top: tops[index]! - top - repeated.offset } }));
    children.unshift(...head);
  }

  return { ...node, box, style, children };
}

/**
 * Cuts a page laid out at unbounded height (same width and padding as the output pages) into
 * pages of `pageHeight`.
 */
export function paginateTallPage<TPage extends TLaidOutNode>(tall: TPage, pageHeight: number): TPage[] {
  const contentTop = tall.box?.paddingTop ?? 0;
  const contentHeight = pageHeight - contentTop - (tall.box?.paddingBottom ?? 0);
  const nodes = tall.children ?? [];
  const tops = nodes.map((node) => node.box?.top ?? 0);
  const contentEnd = Math.max(contentTop, ...nodes.map((node, index) => tops[index]! + height(node)));
  const pages: TPage[] = [];
  // The first page keeps the layout as measured; later pages start at the content they resume with.
  let from = contentTop;
  while (from < contentEnd - EPSILON || pages.length === 0) {
    // Header rows repeat only when they leave most of the page to the rows they head.
    const found = pages.length > 0 ? repeatAt(nodes, tops, from) : null;
    const repeat = found && found.height < contentHeight / 3 ? found : null;
    const limit = from + contentHeight - (repeat?.height ?? 0);
    const forced = forcedBreak(nodes, tops, from, Math.min(limit, contentEnd));
    let to = forced ?? (limit >= contentEnd ? contentEnd : cutAmong(nodes, tops, limit, from));
    // Nothing fits (a single unbreakable thing taller than the page): cut at the page's end.
    if (to <= from + EPSILON) to = limit;
    const shift = from - contentTop - (repeat?.height ?? 0);
    const children = nodes.map((node, index) => clip(node, tops[index]!, from, to, shift, repeat)).filter((child): child is TLaidOutNode => child !== null);
    pages.push({ ...tall, box: { ...tall.box!, height: pageHeight }, children });
    if (to >= contentEnd - EPSILON) break;
    from = Math.max(resumeAt(nodes, tops, to), to);
  }

  return pages;
}
