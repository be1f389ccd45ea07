import { describe, expect, it } from "vitest";

import { canonicalWord, digitsOnly, normalizedTokens, parseStoredJson, phoneDigits, wordTokens, zipParts } from "@/lib/anonymize/normalize";

describe("normalisation helpers", () => {
  it("reads words in any case, punctuation and hyphenation, and a # before a unit number as a designator", () => {
    expect(wordTokens("88 Juniper-Hollow  RD., #10B")).toEqual(["88", "juniper", "hollow", "rd", "unit", "10", "b"]);
    expect(wordTokens("MRN-448812")).toEqual(wordTokens("mrn448812"));
    expect(wordTokens("Zoë O'Neil")).toEqual(["zoë", "o", "neil"]);
  });

  it("spells street suffixes and unit designators one way", () => {
    expect(normalizedTokens("88 juniper hollow road")).toEqual(normalizedTokens("88 Juniper Hollow Rd"));
    expect(normalizedTokens("966 Chestnut Avenue, Apartment 10b")).toEqual(normalizedTokens("966 chestnut ave apt 10B"));
    expect(normalizedTokens("Suite 4")).toEqual(normalizedTokens("# 4"));
    for (const [spelled, canonical] of [["street", "st"], ["drive", "dr"], ["lane", "ln"], ["boulevard", "blvd"], ["court", "ct"], ["place", "pl"], ["highway", "hwy"], ["ste", "unit"]]) {
      expect(canonicalWord(spelled!)).toBe(canonical);
    }
    expect(canonicalWord("chestnut")).toBe("chestnut");
  });

  it("reads digits, phone numbers and ZIP codes", () => {
    expect(digitsOnly("(312) 555-0187")).toBe("3125550187");
    expect(phoneDigits("+1 312.555.0187")).toBe("3125550187");
    expect(phoneDigits("555-01")).toBeNull();
    expect(zipParts("60201-1234")).toEqual({ zip5: "60201", zip9: "602011234" });
    expect(zipParts(" 60201 ")).toEqual({ zip5: "60201", zip9: null });
    expect(zipParts("SW1A 1AA")).toBeNull();
  });

  it("reads a stored JSON column as an object or as its text", () => {
    expect(parseStoredJson('{"a":1}')).toEqual({ a: 1 });
    expect(parseStoredJson({ a: 1 })).toEqual({ a: 1 });
    expect(parseStoredJson("not json")).toBeNull();
    expect(parseStoredJson("[1]")).toBeNull();
  });
});
