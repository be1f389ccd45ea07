// A small, forgiving HTML parser for the subset templates produce. It never throws: stray end
// tags are ignored, unclosed elements close at the end, and the implied end tags of p / li /
// tr / td / th are applied, so a template author's slip degrades instead of failing a job.

export type THtmlElement = { kind: "element"; tag: string; attrs: Record<string, string>; children: THtmlNode[] };
export type THtmlText = { kind: "text"; text: string };
export type THtmlNode = THtmlElement | THtmlText;

const VOID_TAGS = new Set(["br", "hr", "img", "meta", "link", "input", "col", "wbr", "source", "area", "base"]);
/** Content is kept verbatim (style) or dropped later (script, title). */
const RAW_TEXT_TAGS = new Set(["script", "style", "title", "textarea"]);
/** Opening one of the keys closes an open element of the listed tags first. */
const IMPLIED_CLOSE: Record<string, string[]> = {
  p: ["p"],
  li: ["li", "p"],
  tr: ["tr", "td", "th"],
  td: ["td", "th"],
  th: ["td", "th"],
  thead: ["tbody", "thead", "tr", "td", "th"],
  tbody: ["thead", "tbody", "tr", "td", "th"],
  h1: ["p"], h2: ["p"], h3: ["p"], h4: ["p"], h5: ["p"], h6: ["p"],
  ul: ["p"], ol: ["p"], table: ["p"], div: ["p"], section: ["p"], hr: ["p"],
};
/** An implied close never crosses these (a <p> inside a table cell stays in the cell). */
const SCOPE_BOUNDARY = new Set(["table", "td", "th", "ul", "ol", "section", "div", "header", "footer", "body", "html"]);

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", mdash: "—", ndash: "–", hellip: "…",
  middot: "·", bull: "•", copy: "©", reg: "®", trade: "™", rsquo: "’", lsquo: "‘", rdquo: "”", ldquo: "“",
  times: "×", deg: "°", plusmn: "±", rarr: "→", larr: "←", ge: "≥", le: "≤", sect: "§", para: "¶",
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);

      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }

    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const ATTR_PATTERN = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function parseAttributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const match of source.matchAll(ATTR_PATTERN)) {
    attrs[match[1]!.toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? "");
  }

  return attrs;
}

export function parseHtmlDom(html: string): THtmlElement {
  const root: THtmlElement = { kind: "element", tag: "#root", attrs: {}, children: [] };
  const stack: THtmlElement[] = [root];
  const top = () => stack[stack.length - 1]!;
  const closeTag = (tag: string) => {
    for (let index = stack.length - 1; index > 0; index--) {
      if (stack[index]!.tag === tag) {
        stack.length = index;
        return;
      }
      if (SCOPE_BOUNDARY.has(stack[index]!.tag) && !SCOPE_BOUNDARY.has(tag)) return;
    }
  };

  const tagPattern = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<\?[^>]*>|<\/\s*([a-zA-Z][\w-]*)\s*>|<([a-zA-Z][\w-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  let cursor = 0;
  let match: RegExpExecArray | null;
  while ((match = tagPattern.exec(html))) {
    if (match.index > cursor) top().children.push({ kind: "text", text: decodeEntities(html.slice(cursor, match.index)) });
    cursor = tagPattern.lastIndex;
    const [, endTag, startTag, rawAttrs] = match;
    if (endTag) {
      closeTag(endTag.toLowerCase());
      continue;
    }
    if (!startTag) continue; // comment, doctype, processing instruction

    const tag = startTag.toLowerCase();
    const implied = IMPLIED_CLOSE[tag] ?? [];
    while (stack.length > 1 && implied.includes(top().tag)) stack.pop();
    const element: THtmlElement = { kind: "element", tag, attrs: parseAttributes(rawAttrs ?? ""), children: [] };
    top().children.push(element);
    if (VOID_TAGS.has(tag) || /\/\s*$/.test(rawAttrs ?? "")) continue;

    if (RAW_TEXT_TAGS.has(tag)) {
      const closing = new RegExp(`</\\s*${tag}\\s*>`, "ig");
      closing.lastIndex = cursor;
      const end = closing.exec(html);
      element.children.push({ kind: "text", text: html.slice(cursor, end ? end.index : html.length) });
      cursor = end ? closing.lastIndex : html.length;
      tagPattern.lastIndex = cursor;
      continue;
    }
    stack.push(element);
  }
  if (cursor < html.length) top().children.push({ kind: "text", text: decodeEntities(html.slice(cursor)) });

  return root;
}
