import { describe, expect, it } from "vitest";

import { sameJson, sameJsonText } from "@/lib/fhir/import/canonical-json";

describe("sameJson (re-import change detection)", () => {
  it("ignores object key order at every depth, not array order", () => {
    const a = { resourceType: "Encounter", id: "e1", period: { start: "2025-01-01", end: "2025-01-02" }, type: [{ coding: [{ code: "1", system: "s" }] }] };
    const reordered = { type: [{ coding: [{ system: "s", code: "1" }] }], period: { end: "2025-01-02", start: "2025-01-01" }, id: "e1", resourceType: "Encounter" };
    expect(sameJson(a, reordered)).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });

  it("sees a changed, added or removed value anywhere", () => {
    const a = { id: "x", item: [{ linkId: "q1", answer: [{ valueInteger: 1 }] }] };
    expect(sameJson(a, { id: "x", item: [{ linkId: "q1", answer: [{ valueInteger: 2 }] }] })).toBe(false);
    expect(sameJson(a, { ...a, status: "completed" })).toBe(false);
    expect(sameJson({ ...a, status: "completed" }, a)).toBe(false);
    expect(sameJson({ a: null }, {})).toBe(false);
    expect(sameJson({ a: [] }, { a: {} })).toBe(false);
    expect(sameJson({ a: "1" }, { a: 1 })).toBe(false);
  });

  it("treats a key holding undefined as absent, as JSON does", () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(true);
  });

  it("compares stored JSON text with a value: equal text, reordered text, different text", () => {
    const value = { b: 1, a: { d: 2, c: 3 } };
    expect(sameJsonText(JSON.stringify(value), JSON.stringify(value), value)).toBe(true);
    expect(sameJsonText('{"a":{"c":3,"d":2},"b":1}', JSON.stringify(value), value)).toBe(true);
    expect(sameJsonText('{"a":{"c":3,"d":2},"b":2}', JSON.stringify(value), value)).toBe(false);
    expect(sameJsonText("not json", JSON.stringify(value), value)).toBe(false);
  });
});
