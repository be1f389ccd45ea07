// The compiled matchers of patients' identities live in one bounded cache shared by every scrubber:
// evicting and rebuilding them must not change a scrubber's output, and the cache must stay bounded.
import { describe, expect, it } from "vitest";

import { identityOf } from "@/lib/anonymize/patient-identity";
import { compiledMatcherCount, createTextScrubber, MAX_COMPILED_MATCHERS, TEXT_REDACTED } from "@/lib/anonymize/scrub-text";
import { RAW_PATIENT_ROW } from "@/lib/anonymize/testing/raw-patient";

/** A patient of its own: a distinct name, phone and MRN per index. */
function patient(index: number) {
  const suffix = String(index).padStart(4, "0");
  const row = { id: `cache-patient-${suffix}`, fhirId: `fhir-${suffix}`, mrn: `MRN-77${suffix}`, givenName: `Quillon${suffix}`, familyName: "Farthingale", phone: `(312) 555-${suffix}`, raw: null };

  return { row, scrub: createTextScrubber(identityOf(row, `P-${suffix}`)) };
}

describe("the shared cache of compiled identity matchers", () => {
  it("compiles no matchers for a text whose numbers hold none of the patient's (phones and ids probed by their last four digits)", () => {
    const { row, scrub } = patient(9999);
    const before = compiledMatcherCount();
    // Numbers everywhere, each ending in the phone's last digit (9), none holding its last four (9999 as a run).
    expect(scrub("Took 2 tablets at 19:00, PHQ-9 score 9, room 129, follow-up in 9 days")).toBe("Took 2 tablets at 19:00, PHQ-9 score 9, room 129, follow-up in 9 days");
    expect(compiledMatcherCount()).toBe(before);
    // The phone written with separators between any digits is still found.
    expect(scrub(`call 312 555 99 99 today`)).toBe(`call ${TEXT_REDACTED} today`);
    expect(compiledMatcherCount()).toBe(before + 1);
    expect(row.phone).toBe("(312) 555-9999");
  });

  it("keeps each scrubber's output after its matchers were evicted and rebuilt, and stays bounded", () => {
    const raw = createTextScrubber(identityOf(RAW_PATIENT_ROW, "P-raw"));
    const note = "Gwendolyn Ashcombe-Tate called from 966 Chestnut Ave, Apt 10B; score 5.";
    const before = raw(note);
    expect(before).not.toMatch(/Gwendolyn|Chestnut|966/);

    const patients = Array.from({ length: MAX_COMPILED_MATCHERS + 50 }, (_, index) => patient(index));
    for (const { row, scrub } of patients) {
      // The family name (and the phone's last four digits) in the text: the matchers are compiled.
      expect(scrub(`Farthingale (mrn ${row.mrn}) rang from ${row.phone}, PHQ-9 score 5`)).toBe(`${TEXT_REDACTED} (mrn ${TEXT_REDACTED}) rang from ${TEXT_REDACTED}, PHQ-9 score 5`);
    }
    expect(compiledMatcherCount()).toBeLessThanOrEqual(MAX_COMPILED_MATCHERS);

    // The first patients' matchers were evicted above: rebuilt, they find the same identifiers.
    expect(raw(note)).toBe(before);
    const first = patients[0]!;
    expect(first.scrub(`Quillon0000 at ${first.row.phone}`)).toBe(`${TEXT_REDACTED} at ${TEXT_REDACTED}`);
    // Another patient's identifiers are not this scrubber's: only the generic patterns apply to them.
    expect(first.scrub("Quillon0001 scored 5")).toBe("Quillon0001 scored 5");
  }, 30_000);
});
