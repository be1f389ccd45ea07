import { describe, expect, it } from "vitest";

import { addressLineTargets, digitsForm, findLeaks, wordsForm } from "@/lib/anonymize/testing/leak-checker";

describe("the tests' independent leak checker", () => {
  it("normalises case, punctuation, hyphens, suffix spelling and digit grouping", () => {
    expect(wordsForm("966 Chestnut Avenue, #10-B")).toBe(" 966 chestnut ave apt 10 b ");
    expect(digitsForm("(312) 555-0187, IL 60201")).toBe(" 3125550187 60201 ");
  });

  it("finds address lines and numbers however written, and only whole words and runs", () => {
    const targets = [...addressLineTargets({ address: [{ line: ["966 Chestnut Ave, Apt 10B"] }] }, "P-1"), { kind: "ZIP-5", owner: "P-1", digits: "60201" }, { kind: "phone", owner: "P-1", digits: "312-555-0187" }];
    expect(findLeaks(targets, "lives at 966 CHESTNUT avenue").map((target) => target.words)).toEqual(["966 Chestnut Ave"]);
    expect(findLeaks(targets, "unit 10-b").map((target) => target.words)).toEqual(["Apt 10B"]);
    expect(findLeaks(targets, "score 602011 and 1966 Chestnut Avenue Apt 10 Bx")).toEqual([]);
    expect(findLeaks(targets, "call 1 (312) 555 0187").map((target) => target.kind)).toEqual(["phone"]);
    expect(findLeaks(targets, "IL 60201").map((target) => target.kind)).toEqual(["ZIP-5"]);
  });
});
