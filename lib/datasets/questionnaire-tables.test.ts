import { describe, expect, it } from "vitest";

import { identityOf } from "@/lib/anonymize/patient-identity";
import { applyPolicy, toCellText, type TPolicyContext } from "@/lib/anonymize/profiles";
import { createTextScrubber, TEXT_REDACTED } from "@/lib/anonymize/scrub-text";
import { exportableColumns } from "@/lib/datasets/dataset-types";
import { QUESTIONNAIRE_TABLES } from "@/lib/datasets/questionnaire-tables";

const patient = identityOf({ id: "cmpatient0001", givenName: "Avery", familyName: "Quartermaine", phone: "312-201-3344", birthDate: "1931-05-06" }, "P-test");
const context: TPolicyContext = { profile: "safe-harbor", key: "unit-test-anon-key-0123456789", asOf: new Date("2026-11-23T00:00:00Z"), patientId: patient.id, scrub: createTextScrubber(patient) };

const intake = QUESTIONNAIRE_TABLES.find((table) => table.anonName === "qr_intake_anon")!;
const column = (name: string) => exportableColumns({ columns: intake.columns, tier: "anon" }).find((candidate) => candidate.name === name)!;
const row = (answers: object[]) => ({ id: "qr1", patientId: patient.id, items: [{ linkId: "symptom-duration", answer: answers }, { linkId: "sleep-hours", answer: [{ valueString: "6, since Avery's fall on May 6th" }] }] });
/** The cell as the anon tier writes it, and as the identified tier does. */
const cells = (name: string, answers: object[]) => {
  const value = column(name).value(row(answers));
  return { anon: applyPolicy(column(name).policy, value, context), identified: toCellText(value) };
};

describe("questionnaire answer columns", () => {
  it("scrub what the patient wrote in an open choice, and keep what they picked", () => {
    expect(column("symptom_duration").policy).toBe("coded_answer");
    const written = cells("symptom_duration", [{ valueString: "since Avery Quartermaine moved out on 5/6/2024, call 201-3344" }]);
    expect(written.anon).toBe(`since ${TEXT_REDACTED} moved out on ${TEXT_REDACTED}, call ${TEXT_REDACTED}`);
    expect(written.identified).toBe("since Avery Quartermaine moved out on 5/6/2024, call 201-3344");

    // A SNOMED code has the shape of an id: picked codes are never scrubbed.
    expect(cells("symptom_duration", [{ valueCoding: { code: "386661006", display: "Fever" } }])).toEqual({ anon: "386661006", identified: "386661006" });
    const mixed = cells("symptom_duration", [{ valueCoding: { code: "386661006" } }, { valueString: "Avery" }, { valueCoding: { display: "Quartermaine said" } }]);
    expect(mixed).toEqual({ anon: `386661006; ${TEXT_REDACTED}; ${TEXT_REDACTED} said`, identified: "386661006; Avery; Quartermaine said" });
  });

  it("scrub a written answer to a numeric item too, and keep numbers", () => {
    expect(cells("sleep_hours", []).anon).toBe(`6, since ${TEXT_REDACTED}'s fall on ${TEXT_REDACTED}`);
    const numeric = column("sleep_hours").value({ id: "qr2", patientId: patient.id, items: [{ linkId: "sleep-hours", answer: [{ valueInteger: 7 }] }] });
    expect(applyPolicy("coded_answer", numeric, context)).toBe("7");
  });
});
