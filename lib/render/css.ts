// The CSS a template may use: text-align, font-weight, font-style, font-size, color and
// margins, inline (style="...") or in a <style> block with tag, .class and tag.class selectors.
// Anything else is ignored, never an error.
import type { TBlockStyle, TMarks, TTextAlign } from "@/lib/render/document-tree.types";

export type TCssProps = TMarks & TBlockStyle;
export type TCssRule = { tag: string | null; className: string | null; props: TCssProps; specificity: number };

/** Body text size in points; `em` and `%` sizes are relative to it. */
export const BASE_FONT_SIZE = 10;

const NAMED_COLORS: Record<string, string> = {
  black: "#000000", white: "#ffffff", gray: "#808080", grey: "#808080", red: "#ff0000", green: "#008000", blue: "#0000ff",
  navy: "#000080", maroon: "#800000", teal: "#008080", purple: "#800080", orange: "#ffa500", darkgray: "#a9a9a9",
  darkgrey: "#a9a9a9", dimgray: "#696969", silver: "#c0c0c0", darkblue: "#00008b", darkred: "#8b0000", darkgreen: "#006400",
};

export function parseColor(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (/^#[0-9a-f]{6}$/.test(v)) return v;
  if (/^#[0-9a-f]{3}$/.test(v)) return `#${[...v.slice(1)].map((c) => c + c).join("")}`;
  const rgb = /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})/.exec(v);
  if (rgb) return `#${rgb.slice(1, 4).map((n) => Math.min(255, Number(n)).toString(16).padStart(2, "0")).join("")}`;

  return NAMED_COLORS[v];
}

/** A length in points (px are CSS pixels: 0.75 pt). */
export function parseLength(value: string): number | undefined {
  const match = /^(-?\d*\.?\d+)\s*(px|pt|em|rem|%)?$/.exec(value.trim().toLowerCase());
  if (!match) return value.trim() === "0" ? 0 : undefined;
  const n = Number(match[1]);
  switch (match[2]) {
    case "pt":
      return n;
    case "em":
    case "rem":
      return n * BASE_FONT_SIZE;
    case "%":
      return (n / 100) * BASE_FONT_SIZE;
    default:
      return n * 0.75;
  }
}

const FONT_SIZE_KEYWORDS: Record<string, number> = { "xx-small": 7, "x-small": 7.5, small: 9, medium: 10, large: 12, "x-large": 14, "xx-large": 18 };

export function parseDeclarations(source: string): TCssProps {
  const props: TCssProps = {};
  for (const declaration of source.split(";")) {
    const colon = declaration.indexOf(":");
    if (colon < 0) continue;
    const name = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration.slice(colon + 1).replace(/!important/i, "").trim();
    switch (name) {
      case "text-align":
        if (["left", "center", "right", "justify"].includes(value.toLowerCase())) props.textAlign = value.toLowerCase() as TTextAlign;
        break;
      case "font-weight":
        props.bold = value === "bold" || value === "bolder" || Number(value) >= 600;
        break;
      case "font-style":
        props.italic = value === "italic" || value === "oblique";
        break;
      case "font-size": {
        const size = FONT_SIZE_KEYWORDS[value.toLowerCase()] ?? parseLength(value);
        if (size !== undefined && size > 0) props.fontSize = Math.min(size, 72);
        break;
      }
      case "color": {
        const color = parseColor(value);
        if (color) props.color = color;
        break;
      }
      case "margin": {
        // margin: all | vertical horizontal | top horizontal bottom | top right bottom left
        const parts = value.split(/\s+/).map(parseLength);
        const top = parts[0];
        const bottom = parts.length >= 3 ? parts[2] : parts[0];
        if (top !== undefined) props.marginTop = top;
        if (bottom !== undefined) props.marginBottom = bottom;
        break;
      }
      case "margin-top":
      case "margin-bottom": {
        const length = parseLength(value);
        if (length !== undefined) props[name === "margin-top" ? "marginTop" : "marginBottom"] = length;
        break;
      }
    }
  }

  return props;
}

export function parseStylesheet(source: string): TCssRule[] {
  const rules: TCssRule[] = [];
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, "");
  for (const match of withoutComments.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const props = parseDeclarations(match[2]!);
    for (const selector of match[1]!.split(",")) {
      const simple = /^\s*([a-z][a-z0-9]*)?(?:\.([\w-]+))?\s*$/i.exec(selector);
      if (!simple || (!simple[1] && !simple[2])) continue; // descendant, id and attribute selectors are not supported
      const tag = simple[1]?.toLowerCase() ?? null;
      const className = simple[2] ?? null;
      rules.push({ tag, className, props, specificity: (tag ? 1 : 0) + (className ? 10 : 0) });
    }
  }

  return rules.sort((a, b) => a.specificity - b.specificity);
}

/** Stylesheet rules (by specificity) then the inline style attribute. */
export function computeElementCss(tag: string, attrs: Record<string, string>, rules: TCssRule[]): TCssProps {
  const classes = (attrs.class ?? "").split(/\s+/).filter(Boolean);
  let props: TCssProps = {};
  for (const rule of rules) {
    if (rule.tag && rule.tag !== tag) continue;
    if (rule.className && !classes.includes(rule.className)) continue;
    props = { ...props, ...rule.props };
  }
  if (attrs.style) props = { ...props, ...parseDeclarations(attrs.style) };
  if (attrs.align && !props.textAlign && ["left", "center", "right", "justify"].includes(attrs.align)) props.textAlign = attrs.align as TTextAlign;

  return props;
}
