// The scrubber against identifiers as people write them: any case, punctuation, suffix spelling,
// a multi-line address in pieces, identifiers of systems the code does not know, contacts.
import { describe, expect, it } from "vitest";

import { identityOf } from "@/lib/anonymize/patient-identity";
import { createTextScrubber, TEXT_REDACTED } from "@/lib/anonymize/scrub-text";
import { RAW_PATIENT_ROW } from "@/lib/anonymize/testing/raw-patient";

const scrub = createTextScrubber(identityOf(RAW_PATIENT_ROW, "P-raw"));
const generic = createTextScrubber(null);

describe("scrubbing identifiers as people write them", () => {
  it.each([
    "I live at 966 Chestnut Ave in Apt 10B.",
    "i live at 966 chestnut avenue, apartment 10b",
    "Address: 966 CHESTNUT AV. #10B",
    "moved to 966 Chestnut, unit 10-B",
    "staying on Chestnut Avenue, suite 10B",
  ])("removes the address in %s", (text) => {
    const out = scrub(text).toLowerCase();
    expect(out).not.toMatch(/966|chestnut|10-?b\b/);
  });

  it("removes names by their parts, in any case, with or without the hyphen", () => {
    expect(scrub("ashcombe tate, GWENDOLYN came with wendy")).toBe(`${TEXT_REDACTED} came with ${TEXT_REDACTED}`);
    expect(scrub("Tate said Gwendolyn")).toBe(`${TEXT_REDACTED} said ${TEXT_REDACTED}`);
    expect(scrub("Mrs Ashcombe–Tate")).toBe(`Mrs ${TEXT_REDACTED}`);
    expect(scrub("Jordan Keller (brother) called")).toBe(`${TEXT_REDACTED} (brother) called`);
  });

  it("removes identifiers of any system, as written and by their digits", () => {
    for (const text of ["member 4417 2290 8831", "id 441722908831", "4417-2290-8831", "MH884412907", "mh 884-412-907", "chart RBH0204117", "RBH-0204117"]) {
      expect(scrub(text), text).not.toMatch(/441722908831|4417.2290.8831|884.?412.?907|0204117/);
    }
  });

  it("removes the city, the district, ZIP-5 and ZIP+4 of the patient", () => {
    expect(scrub("Evanston, cook county 60201")).toBe(`${TEXT_REDACTED}, ${TEXT_REDACTED} county ${TEXT_REDACTED}`);
    expect(scrub("zip 60201-4412")).not.toContain("4412");
  });

  it("removes the birth date in every common written form, six-digit ones included", () => {
    for (const text of ["1962-03-09", "03/09/1962", "3/9/62", "March 9, 1962", "9 Mar 1962", "19620309", "03091962", "030962", "620309", "090362"]) {
      expect(scrub(`DOB ${text}.`), text).toBe(`DOB ${TEXT_REDACTED}.`);
    }
    // Another six-digit number stays.
    expect(scrub("ref 030963")).toBe("ref 030963");
  });

  it("removes the contacts' phones however they are grouped", () => {
    expect(scrub("call 312 555 0199 or 5550199")).toBe(`call ${TEXT_REDACTED} or ${TEXT_REDACTED}`);
  });

  it("removes anyone's ZIP beside a state or labelled, ZIP+4 and labelled ids, and keeps clinical numbers", () => {
    expect(generic("Lives in Springfield, IL 62704 now")).toBe(`Lives in Springfield, ${TEXT_REDACTED} now`);
    expect(generic("moved to illinois 62704")).toBe(`moved to ${TEXT_REDACTED}`);
    expect(generic("zip code: 62704")).toBe(TEXT_REDACTED);
    expect(generic("mailing 62704-1234")).toBe(`mailing ${TEXT_REDACTED}`);
    expect(generic("client ID 7781-22 and member # H4471")).toBe(`${TEXT_REDACTED} and ${TEXT_REDACTED}`);
    expect(generic("PHQ-9 score 14, sertraline 50 mg, in 62704 steps, member id card")).toBe("PHQ-9 score 14, sertraline 50 mg, in 62704 steps, member id card");
  });

  it("stays linear on a long note of near-misses", () => {
    const note = "966 Chestnut Chestnut 966 Ave Apt ".repeat(20_000);
    const started = process.hrtime.bigint();
    expect(scrub(note)).not.toMatch(/966 Chestnut Ave/i);
    // Not a speed assertion: a quadratic scrubber does not finish this in the test's time at all.
    expect(Number(process.hrtime.bigint() - started)).toBeGreaterThan(0);
  });
});
