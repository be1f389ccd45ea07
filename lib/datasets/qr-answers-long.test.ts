import { describe, expect, it } from "vitest";

import { AnswerCell, applyPolicy, toCellText, type TPolicyContext } from "@/lib/anonymize/profiles";
import { flattenResponse } from "@/lib/datasets/qr-answers-long";

const response = (questionnaire: string, items: unknown) => ({ id: "r1", patientId: "p1", questionnaire, items });
const context = (profile: TPolicyContext["profile"]): TPolicyContext => ({ profile, key: "k".repeat(32), asOf: new Date("2026-12-07T00:00:00Z"), patientId: "p1", scrub: (text) => text.replace(/Ada/g, "[REDACTED]") });
const cell = (value: unknown) => value as AnswerCell;

describe("flattenResponse", () => {
  it("gives every answer a row with its path, items nested under answers too, and numbers repeated answers", () => {
    const rows = flattenResponse(
      response("unknown-form", [
        { linkId: "g", item: [{ linkId: "q1", text: "Pick", answer: [{ valueCoding: { system: "s", code: "a", display: "A" } }, { valueCoding: { system: "s", code: "b" } }] }] },
        { linkId: "q2", answer: [{ valueBoolean: true, item: [{ linkId: "q2a", answer: [{ valueString: "Ada wrote this" }] }] }] },
        { linkId: "q3", answer: [] },
      ]),
    );
    expect(rows.map((row) => [row.itemPath, row.answerIndex, row.answerType])).toEqual([
      ["g/q1", 1, "coding"],
      ["g/q1", 2, "coding"],
      ["q2", 1, "boolean"],
      ["q2/q2a", 1, "string"],
    ]);
    expect(new Set(rows.map((row) => row.id)).size).toBe(4);
    expect(rows.every((row) => row.items === undefined && row.responseId === "r1" && row.inCatalog === false)).toBe(true);
    expect(cell(rows[0]!.value_code)).toMatchObject({ value: "a", treatment: "keep" });
    expect(cell(rows[3]!.value_text)).toMatchObject({ value: "Ada wrote this", treatment: "written" });
  });

  it("redacts an unknown item that looks identifying, references and attachments; follows the catalog for known items", () => {
    const unknown = flattenResponse(response("unknown-form", [{ linkId: "x", text: "Your phone number", answer: [{ valueString: "555" }] }, { linkId: "ref", answer: [{ valueReference: { reference: "Patient/1" } }] }]));
    expect(cell(unknown[0]!.value_text).treatment).toBe("redact");
    expect(cell(unknown[0]!.itemText).treatment).toBe("redact");
    expect(cell(unknown[1]!.value_text)).toMatchObject({ treatment: "redact" });
    const known = flattenResponse(response("registration", [{ linkId: "phone", answer: [{ valueString: "413-555-0101" }] }, { linkId: "reason-for-visit", answer: [{ valueString: "Ada is tired" }] }]));
    expect(known.map((row) => [row.inCatalog, cell(row.value_text).treatment])).toEqual([
      [true, "redact"],
      [true, "written"],
    ]);
    expect(cell(known[1]!.itemText).treatment).toBe("keep");
  });
});

describe("the item_answer policy", () => {
  it("keeps, dates, scrubs or redacts as the cell says, under both profiles, and redacts anything that is not a cell", () => {
    for (const profile of ["safe-harbor", "standard"] as const) {
      expect(applyPolicy("item_answer", new AnswerCell(3, "keep"), context(profile))).toBe("3");
      expect(applyPolicy("item_answer", new AnswerCell("Ada said hi", "written"), context(profile))).toBe("[REDACTED] said hi");
      expect(applyPolicy("item_answer", new AnswerCell("x", "redact"), context(profile))).toBe("REDACTED");
      expect(applyPolicy("item_answer", "raw text", context(profile))).toBe("REDACTED");
      expect(applyPolicy("item_answer", null, context(profile))).toBe("");
    }
    expect(applyPolicy("item_answer", new AnswerCell("2025-02-10", "date"), context("safe-harbor"))).toBe("2025");
    expect(applyPolicy("item_answer", new AnswerCell("2025-02-10", "date"), context("standard"))).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The identified tier shows the value as it was.
    expect(toCellText(new AnswerCell("Ada said hi", "written"))).toBe("Ada said hi");
  });
});
