import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors/app-error";
import { assertJsonDepth, assertSafeJsonText, jsonTextMayHoldUnsafe, MAX_JSON_DEPTH, parseQueryString } from "@/lib/input/input-guards";

const issuesOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as AppError).issues;
  }
  return null;
};

describe("assertJsonDepth", () => {
  it("allows 64 levels and refuses 65, counting only brackets outside strings", () => {
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    expect(() => assertJsonDepth(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(issuesOf(() => assertJsonDepth(nested(MAX_JSON_DEPTH + 1)))).toEqual([{ path: "(body)", message: "is nested more than 64 levels deep" }]);
    expect(() => assertJsonDepth(JSON.stringify({ text: "[[[[".repeat(100), quoted: '\\"{{{{'.repeat(50) }))).not.toThrow();
  });
});

describe("assertSafeJsonText", () => {
  it("names the first string or key holding NUL or an unpaired surrogate; paired surrogates (emoji) pass", () => {
    expect(() => assertSafeJsonText({ note: "fine 😀", list: ["a"] })).not.toThrow();
    expect(issuesOf(() => assertSafeJsonText({ notes: [{ text: "ok" }, { text: "a\u0000b" }] }))).toEqual([{ path: "notes.1.text", message: "must not contain NUL characters" }]);
    expect(issuesOf(() => assertSafeJsonText({ id: "x\ud83d" }))).toEqual([{ path: "id", message: "contains an unpaired surrogate (not valid Unicode text)" }]);
    expect(issuesOf(() => assertSafeJsonText({ ["k\udc00"]: 1 }))).toEqual([{ path: "(key)", message: "contains an unpaired surrogate (not valid Unicode text)" }]);
    expect(issuesOf(() => assertSafeJsonText("\u0000"))).toEqual([{ path: "(body)", message: "must not contain NUL characters" }]);
  });
});

describe("parseQueryString", () => {
  it("decodes like a form (+ is a space), keeps repeated keys, and refuses malformed encoding by name", () => {
    expect(parseQueryString("?q=a+b%20c&action=x&action=y&flag")).toEqual({ q: "a b c", action: ["x", "y"], flag: "" });
    expect(issuesOf(() => parseQueryString("?q=%FF"))).toEqual([{ path: "q", message: "is not valid percent-encoded UTF-8" }]);
    expect(issuesOf(() => parseQueryString("?q=%ED%A0%80"))).toEqual([{ path: "q", message: "is not valid percent-encoded UTF-8" }]);
    expect(issuesOf(() => parseQueryString("?%FF=1"))).toEqual([{ path: "(query)", message: "is not valid percent-encoded UTF-8" }]);
    expect(issuesOf(() => parseQueryString("?q=%00"))).toEqual([{ path: "q", message: "must not contain NUL characters" }]);
  });

  it("jsonTextMayHoldUnsafe: true for every JSON text whose parsed strings the walk would refuse", () => {
    const unsafe = ['{"a":"x\\u0000"}', '{"a":"x\\ud800"}', '{"a":"\\uDC00y"}', '{"k\\uDBFFz":1}', '["\u0000"]'.replace("\u0000", "\\u0000"), `{"a":"\ud800"}`];
    for (const text of unsafe) {
      expect(() => assertSafeJsonText(JSON.parse(text))).toThrow();
      expect(jsonTextMayHoldUnsafe(text)).toBe(true);
    }
    const safe = ['{"a":"plain"}', '{"a":"caf\\u00e9 \\u2603"}', `{"a":"\ud83d\ude00"}`, '{"a":"back\\\\slash"}'];
    for (const text of safe) {
      expect(() => assertSafeJsonText(JSON.parse(text))).not.toThrow();
      expect(jsonTextMayHoldUnsafe(text)).toBe(false);
    }
    // Conservative where it cannot tell without parsing: an escaped pair (emoji) still means "walk".
    expect(jsonTextMayHoldUnsafe('{"a":"\\ud83d\\ude00"}')).toBe(true);
  });
});
