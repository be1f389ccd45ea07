// The corpus against the scrubber and the scan directly (the integration test runs the real export):
// every planted form is scrubbed, the checker finds nothing, and the scan passes the scrubbed text
// but refuses the raw one.
import { describe, expect, it } from "vitest";

import { identityOf } from "@/lib/anonymize/patient-identity";
import { createReleaseScanner, ReleaseScanError } from "@/lib/anonymize/release-scan";
import { createTextScrubber } from "@/lib/anonymize/scrub-text";
import { CORPUS_PATIENTS, plantedText } from "@/lib/anonymize/testing/adversarial-corpus";
import { findLeaks } from "@/lib/anonymize/testing/leak-checker";

describe.each(CORPUS_PATIENTS.map((patient) => [patient.label, patient] as const))("the adversarial corpus: %s", (_label, patient) => {
  const row = { id: `cm-${patient.label.replace(/\W/g, "")}`, ...patient.columns, raw: patient.resource };
  const scrub = createTextScrubber(identityOf(row, "P-corpus"));
  const scanner = createReleaseScanner([{ row, pseudonym: "P-corpus" }]);
  const text = plantedText(patient, "note");

  it("plants every identifier class in at least 8 forms, all found by the checker before scrubbing", () => {
    for (const forms of Object.values(patient.forms)) expect(forms.length).toBeGreaterThanOrEqual(8);
    expect(findLeaks(patient.targets, text)).toHaveLength(patient.targets.length);
  });

  it("scrubs every form: the checker finds none", () => {
    const scrubbed = scrub(text);
    expect(findLeaks(patient.targets, scrubbed).map((target) => `${target.kind}: ${target.words ?? target.digits}`)).toEqual([]);
  });

  it("the scan passes the scrubbed text and refuses the raw", () => {
    expect(() => scanner.scanBuffer(scrub(text), "note.csv")).not.toThrow();
    expect(() => scanner.scanBuffer(text, "note.csv")).toThrow(ReleaseScanError);
  });
});
