import { describe, expect, it } from "vitest";

import { ZFhirDate, ZFhirDateTime, ZQuestionnaireResponse } from "@/lib/fhir/import/fhir-schemas";

describe("FHIR import schemas", () => {
  it("refuses calendar dates that do not exist, in dates and dateTimes", () => {
    for (const value of ["2025-02-31", "2023-02-29", "2025-04-31", "2025-02-30T10:00:00Z"]) {
      expect(ZFhirDate.safeParse(value.slice(0, 10)).success).toBe(false);
      expect(ZFhirDateTime.safeParse(value).success).toBe(false);
    }
    for (const value of ["2024-02-29", "2025-12-31", "2025", "2025-04", "2025-12-31T23:59:59+14:00", "0001-01-01"]) expect(ZFhirDateTime.safeParse(value).success).toBe(true);
  });

  it("keeps any answer value of a QuestionnaireResponse item and checks nested items", () => {
    const response = (answer: unknown) => ({ resourceType: "QuestionnaireResponse", id: "r1", questionnaire: "q", status: "completed", subject: { reference: "Patient/p1" }, authored: "2025-01-01", item: [{ linkId: "a", answer }] });
    const parsed = ZQuestionnaireResponse.safeParse(response([{ valueCoding: { code: "1" } }, { valueInteger: 2, item: [{ linkId: "n" }] }]));
    expect(parsed.success && parsed.data.item![0]!.answer).toEqual([{ valueCoding: { code: "1" } }, { valueInteger: 2, item: [{ linkId: "n" }] }]);
    const nested = ZQuestionnaireResponse.safeParse(response([{ valueInteger: 2, item: [{ text: "no linkId" }] }]));
    expect(nested.success ? [] : nested.error.issues.map((issue) => issue.path.join("."))).toEqual(["item.0.answer.0.item.0.linkId"]);
    for (const answer of [[1], ["x"], [null], [[]]]) expect(ZQuestionnaireResponse.safeParse(response(answer)).success).toBe(false);
  });
});
