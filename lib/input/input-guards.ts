// Bounds on what a request (or an imported file) may carry, checked before any of it reaches zod,
// a service or the database. Each exists because the unbounded form answered a 500 (or stored junk):
//  - nesting: a 3,000-deep JSON value overflows the recursive walkers behind it;
//  - NUL: PostgreSQL text refuses "\u0000" (a 500 there) while SQLite stores it (a silent fork);
//  - unpaired UTF-16 surrogates ("\ud800"): not Unicode, so not encodable as UTF-8 for the driver;
//  - malformed percent-encoding ("%FF") in a query value.
import { AppError, type TIssue } from "@/lib/errors/app-error";

/** Deeper than any FHIR resource or API body we accept (real FHIR nests to about 15). */
export const MAX_JSON_DEPTH = 64;

// With the u flag a well-formed pair is one code point, so \p{Cs} matches only unpaired halves.
const UNSAFE_TEXT = /[\0\p{Cs}]/u;

// In JSON text, a parsed string can hold NUL or an unpaired surrogate only if the text holds one
// itself or spells it as an escape (\u0000, \uD800-\uDFFF). Conservative: an escaped backslash
// before "u0000", or an escaped surrogate pair, also matches.
const MAYBE_UNSAFE_JSON = /[\0\p{Cs}]|\\u(?:0000|[dD][89a-fA-F])/u;

/**
 * False when no string parsed from this JSON text can hold NUL or an unpaired surrogate, so
 * assertSafeJsonText need not walk the parsed values: one regex pass over the text (0.2 s for
 * 130 MB) instead of a walk of every value (about 2 s for a 160,000-resource import).
 */
export function jsonTextMayHoldUnsafe(text: string): boolean {
  return MAYBE_UNSAFE_JSON.test(text);
}

/** Whether `text` holds a NUL or an unpaired surrogate: refused input wherever it comes from. */
export function hasUnsafeText(text: string): boolean {
  return UNSAFE_TEXT.test(text);
}

function describeUnsafe(text: string): string {
  return text.includes("\0") ? "must not contain NUL characters" : "contains an unpaired surrogate (not valid Unicode text)";
}

function invalid(issue: TIssue, what: string): AppError {
  return new AppError("INVALID_INPUT", `${what}: ${issue.path}: ${issue.message}`, { issues: [issue] });
}

/** Refuses JSON text nested deeper than `maxDepth`, in one pass over the text (before JSON.parse). */
export function assertJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH, what = "Invalid request body", root = "(body)") {
  let depth = 0;
  let isInString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (isInString) {
      if (char === 0x5c) index++; // backslash: skip the escaped character
      else if (char === 0x22) isInString = false;
    } else if (char === 0x22) {
      isInString = true;
    } else if (char === 0x7b || char === 0x5b) {
      if (++depth > maxDepth) throw invalid({ path: root, message: `is nested more than ${maxDepth} levels deep` }, what);
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
}

/**
 * Walks a parsed JSON value (already depth-bounded) and refuses the first string, or object key,
 * holding a NUL or an unpaired surrogate; the issue names where it is ("notes.2.text").
 */
export function assertSafeJsonText(value: unknown, path: string[] = [], what = "Invalid request body") {
  if (typeof value === "string") {
    if (UNSAFE_TEXT.test(value)) throw invalid({ path: path.join(".") || "(body)", message: describeUnsafe(value) }, what);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertSafeJsonText(item, [...path, String(index)], what));
    return;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (UNSAFE_TEXT.test(key)) throw invalid({ path: [...path, "(key)"].join("."), message: describeUnsafe(key) }, what);
      assertSafeJsonText(item, [...path, key], what);
    }
  }
}

/** A path parameter or query value: no NUL, no unpaired surrogate. */
export function assertSafeValue(value: string | string[] | undefined, path: string, what: string) {
  for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
    if (UNSAFE_TEXT.test(item)) throw invalid({ path, message: describeUnsafe(item) }, what);
  }
}

function decodeQueryComponent(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/**
 * The query string as an object (a repeated key becomes an array). Unlike URLSearchParams, which
 * quietly turns "%FF" into U+FFFD, malformed percent-encoding is a 400 naming the parameter.
 */
export function parseQueryString(search: string, what = "Invalid query"): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of search.replace(/^\?/, "").split("&")) {
    if (!part) continue;
    const split = part.indexOf("=");
    const rawName = split < 0 ? part : part.slice(0, split);
    const name = decodeQueryComponent(rawName);
    const value = decodeQueryComponent(split < 0 ? "" : part.slice(split + 1));
    if (name === null || value === null) throw invalid({ path: name ?? "(query)", message: "is not valid percent-encoded UTF-8" }, what);
    assertSafeValue(name, "(query)", what);
    assertSafeValue(value, name, what);
    const previous = out[name];
    out[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }

  return out;
}
