import { createHash, createHmac } from "node:crypto";

import { describe, expect, it } from "vitest";

import { applyPolicy, isColumnPolicy, isWeakerProfile, type TPolicyContext } from "@/lib/anonymize/profiles";
import { dateShiftDays, pseudonymize } from "@/lib/anonymize/pseudonym";
import { ageInYears, dateToYear, phoneLastFour, RESTRICTED_ZIP3, safeHarborAge, shiftDate, zip3 } from "@/lib/anonymize/rules";
import { createTextScrubber, scrubDeep, TEXT_REDACTED } from "@/lib/anonymize/scrub-text";
import { SAMPLE_PATIENT } from "@/lib/anonymize/testing/sample-patient";

const KEY = "unit-test-anon-key-0123456789";
const OTHER_KEY = "another-anon-key-9876543210xyz";

const patient = SAMPLE_PATIENT;

describe("pseudonyms", () => {
  it("are stable for one key, differ across keys and kinds, and are not a bare hash of the id", () => {
    const a = pseudonymize(KEY, "patient", "cmpatient0001");
    // 64 bits of the keyed MAC, a consonant per 4 bits: no digit for the release scan to mistake for a phone or date.
    expect(a).toMatch(/^P-[bcdfghjklmnpqrst]{16}$/);
    const macHex = [...a.slice(2)].map((letter) => "bcdfghjklmnpqrst".indexOf(letter).toString(16)).join("");
    expect(macHex).toBe(createHmac("sha256", KEY).update("pseudonym:patient:cmpatient0001").digest("hex").slice(0, 16));
    expect(pseudonymize(KEY, "patient", "cmpatient0001")).toBe(a);
    expect(pseudonymize(OTHER_KEY, "patient", "cmpatient0001")).not.toBe(a);
    expect(pseudonymize(KEY, "encounter", "cmpatient0001").slice(2)).not.toBe(a.slice(2));
    expect(pseudonymize(KEY, "patient", "cmpatient0002")).not.toBe(a);
    for (const algorithm of ["md5", "sha1", "sha256"]) {
      expect(createHash(algorithm).update("cmpatient0001").digest("hex")).not.toContain(macHex);
    }
  });

  it("are the kind's letter and the MAC's first 8 bytes, a consonant per 4 bits, for every kind and many ids", () => {
    const prefixes = { patient: "P", encounter: "E", response: "R", practitioner: "D", observation: "O", condition: "C", care_plan: "K", location: "L" } as const;
    for (const [kind, prefix] of Object.entries(prefixes) as [keyof typeof prefixes, string][]) {
      for (let n = 0; n < 300; n++) {
        const id = `c${(n * 7919).toString(36)}x${n}`;
        const hex = createHmac("sha256", KEY).update(`pseudonym:${kind}:${id}`).digest("hex").slice(0, 16);
        expect(pseudonymize(KEY, kind, id)).toBe(`${prefix}-${[...hex].map((digit) => "bcdfghjklmnpqrst"[parseInt(digit, 16)]).join("")}`);
      }
    }
  });

  it("refuses an empty key", () => {
    expect(() => pseudonymize("", "patient", "x")).toThrow(/key/);
  });
});

describe("date shift", () => {
  it("is within ±30 days, never 0, stable per patient and key-dependent", () => {
    const offsets = Array.from({ length: 500 }, (_, index) => dateShiftDays(KEY, `patient-${index}`));
    for (const offset of offsets) {
      expect(offset).not.toBe(0);
      expect(Math.abs(offset)).toBeLessThanOrEqual(30);
    }
    expect(new Set(offsets).size).toBeGreaterThan(40);
    expect(offsets.some((offset) => offset < 0) && offsets.some((offset) => offset > 0)).toBe(true);
    expect(dateShiftDays(KEY, "patient-1")).toBe(offsets[1]);
    const differs = offsets.slice(0, 50).some((offset, index) => dateShiftDays(OTHER_KEY, `patient-${index}`) !== offset);
    expect(differs).toBe(true);
  });

  it("keeps the interval between one patient's dates", () => {
    const days = dateShiftDays(KEY, "p1");
    const first = shiftDate("2024-03-01", days);
    const second = shiftDate(new Date("2024-03-15T10:00:00Z"), days);
    expect((Date.parse(second) - Date.parse(first)) / 86_400_000).toBe(14);
    expect(shiftDate("2024-01-10", -30)).toBe("2023-12-11");
    expect(shiftDate("2024-02-28", 1)).toBe("2024-02-29");
    expect(shiftDate(null, 3)).toBe("");
  });
});

describe("ages", () => {
  const asOf = new Date("2026-11-23T12:00:00Z");
  it("counts whole years, with the birthday boundary", () => {
    expect(ageInYears("1985-11-23", asOf)).toBe(41);
    expect(ageInYears("1985-11-24", asOf)).toBe(40);
    expect(ageInYears("2030-01-01", asOf)).toBeNull();
  });
  it("aggregates 90 and over into 90+", () => {
    expect(safeHarborAge("1936-11-24", asOf)).toBe("89");
    expect(safeHarborAge("1936-11-23", asOf)).toBe("90+");
    expect(safeHarborAge("1920-01-01", asOf)).toBe("90+");
    expect(safeHarborAge(null, asOf)).toBe("");
    expect(safeHarborAge("not a date", asOf)).toBe("");
  });
});

describe("zip3", () => {
  it("keeps three digits, and maps every restricted prefix to 000XX", () => {
    expect(zip3("62704")).toBe("627XX");
    expect(zip3("62704-1234")).toBe("627XX");
    expect(RESTRICTED_ZIP3.size).toBe(19);
    for (const prefix of ["036", "059", "063", "102", "203", "205", "369", "556", "692", "790", "821", "823", "830", "831", "878", "879", "884", "890", "893"]) {
      expect(zip3(`${prefix}12`)).toBe("000XX");
    }
    expect(zip3("1234")).toBe("");
    expect(zip3(null)).toBe("");
  });
});

describe("dates and phones", () => {
  it("reduces dates to their year", () => {
    expect(dateToYear("2024-03-15")).toBe("2024");
    expect(dateToYear(new Date("2023-12-31T23:00:00Z"))).toBe("2023");
    expect(dateToYear("")).toBe("");
  });
  it("shows the last four digits in the standard format", () => {
    expect(phoneLastFour("(555) 201-4567")).toBe("XXX-XXX-4567");
    expect(phoneLastFour("+1 555.201.4567")).toBe("XXX-XXX-4567");
    expect(phoneLastFour("")).toBe("");
  });
});

describe("profiles", () => {
  const context = (profile: "safe-harbor" | "standard"): TPolicyContext => ({
    profile,
    key: KEY,
    asOf: new Date("2026-11-23T00:00:00Z"),
    patientId: "cmpatient0001",
    scrub: createTextScrubber(patient),
  });

  it("safe-harbor: REDACTED identifiers, years, removed phones", () => {
    const sh = context("safe-harbor");
    expect(applyPolicy("redact", "Avery", sh)).toBe("REDACTED");
    expect(applyPolicy("redact", null, sh)).toBe("");
    expect(applyPolicy("phone", "555-201-3344", sh)).toBe("REDACTED");
    expect(applyPolicy("patient_date", new Date("2024-05-06T10:00:00Z"), sh)).toBe("2024");
    expect(applyPolicy("birth_date_to_age", "1985-04-12", sh)).toBe("41");
    expect(applyPolicy("zip3", "05901", sh)).toBe("000XX");
    expect(applyPolicy("pseudonymize:patient", "cmpatient0001", sh)).toBe(pseudonymize(KEY, "patient", "cmpatient0001"));
    expect(applyPolicy("keep", 3.5, sh)).toBe("3.5");
  });

  it("standard: last-four phones and per-patient shifted dates", () => {
    const st = context("standard");
    expect(applyPolicy("phone", "555-201-3344", st)).toBe("XXX-XXX-3344");
    const shifted = applyPolicy("patient_date", "2024-05-06", st);
    expect(shifted).toBe(shiftDate("2024-05-06", dateShiftDays(KEY, "cmpatient0001")));
    expect(shifted).not.toBe("2024-05-06");
  });

  it("knows which profile is weaker, and which policies exist", () => {
    expect(isWeakerProfile("standard", "safe-harbor")).toBe(true);
    expect(isWeakerProfile("safe-harbor", "standard")).toBe(false);
    expect(isWeakerProfile("standard", "standard")).toBe(false);
    expect(isColumnPolicy("keep")).toBe(true);
    expect(isColumnPolicy("pseudonymize:patient")).toBe(true);
    expect(isColumnPolicy("whatever")).toBe(false);
    expect(isColumnPolicy(undefined)).toBe(false);
  });

  it("free-text policy scrubs nested answers", () => {
    const cell = applyPolicy("free_text", [{ linkId: "a", answer: [{ valueString: "call Avery on 555 201 3344" }], item: [{ answer: [{ valueString: "QUARTERMAINE" }] }] }], context("safe-harbor"));
    expect(cell).not.toMatch(/avery|quartermaine|3344/i);
    expect(cell).toContain(TEXT_REDACTED);
  });
});

describe("free-text scrubber", () => {
  const scrub = createTextScrubber(patient);

  it("removes the patient's names in any order and case, but not other words", () => {
    // A whole name ("Quartermaine, Avery") goes as one phrase; the words of a name on their own too.
    expect(scrub("Quartermaine, Avery said AVERY jo was fine")).toBe(`${TEXT_REDACTED} said ${TEXT_REDACTED} ${TEXT_REDACTED} was fine`);
    expect(scrub("Jolly averyday joke")).toBe("Jolly averyday joke");
  });

  it("removes the patient's phone in any format, and any phone-shaped number", () => {
    for (const text of ["555-201-3344", "(555) 201-3344", "555.201.3344", "+1 555 201 3344", "5552013344"]) {
      expect(scrub(`reach me at ${text} tonight`)).toBe(`reach me at ${TEXT_REDACTED} tonight`);
    }
    expect(scrub("her sister: (312) 555-0199")).toBe(`her sister: ${TEXT_REDACTED}`);
  });

  it("removes the patient's own number dialled without its area code, in any format", () => {
    for (const text of ["201-3344", "2013344", "201 3344", "201.3344"]) {
      expect(scrub(`reach me at ${text} tonight`), text).toBe(`reach me at ${TEXT_REDACTED} tonight`);
    }
    // Only as a whole number: digits around it make it another number.
    expect(scrub("ref 12013344")).toBe(`ref ${TEXT_REDACTED}`);
    expect(scrub("took 201 tablets, 3344 steps")).toBe("took 201 tablets, 3344 steps");
  });

  it("removes emails, address, city, ids, SSN, URLs and IPs", () => {
    const out = scrub(
      "Mail avery.q@example.org or x.y@z.com; lives at 12 elm street, Springfield. MRN-448812, MRN: Z99812, SSN 123-45-6789, 987-65-4321, medicaid MCD9981234, see https://x.example/p?id=1 from 10.0.0.12, id 12345678",
    );
    expect(out).not.toMatch(/example\.org|z\.com|elm|springfield|448812|Z99812|6789|4321|MCD9981234|https|10\.0\.0|12345678/i);
    expect(out.match(/\[REDACTED\]/g)!.length).toBeGreaterThanOrEqual(10);
  });

  it("keeps clinical text and small numbers, but not the date", () => {
    expect(scrub("PHQ-9 score 14 on 2024-03-02, sleeping 6 hours")).toBe(`PHQ-9 score 14 on ${TEXT_REDACTED}, sleeping 6 hours`);
  });

  it("removes every calendar date in free text, in both profiles' scrubber, with or without a known patient", () => {
    const dates = [
      "2024-03-02", "2024/03/02", "2024/3/2", "2024-03-02T10:15:00Z",
      "3/2/2024", "03/02/24", "3-2-2024", "12/31/1999", "13.02.2024",
      "May 6, 1931", "6 May 1931", "May 6th 1931", "Mar. 2, 2024", "May 6th", "march 2", "the 6th of May, 1931", "6th of June", "2 Dec", "6 May",
      "SEPT 14 2023", "May 1931", "March of 2024",
      // A day, month name and year joined by "-", "/" or ".", and month-first with "-".
      "DOB 06-May-1931", "12-Jan-2024", "6-May-24", "Jan-12-2024", "May-06-1931", "Jan-12-24", "12.Jan.2024", "6/May/1931", "May-1931",
      // Both dates of a range, and a date running on into a word.
      "3/2/2024-3/5/2024", "3/2/2024-present", "3-2-2024-3-5-2024", "2024-03-02-2024-03-05", "3/2/24-3/5/24", "6-May-1931-8-May-1931",
      // Two-digit years joined by "-" or "." are dates too (no dose unit after them).
      "3-2-24", "13.02.24",
      // "mar", "dec", "may" in lower case are months with a year or an ordinal day.
      "mar 2, 2024", "dec 3 2024", "may 6th", "the 6th of may", "9 dec 2019", "Dec 3", "DEC 3", "MAY 6", "6 MAY",
      // "jun" and "sep" are months in any case.
      "jun 3", "sep 14",
    ];
    for (const scrubber of [scrub, createTextScrubber(null)]) {
      for (const date of dates) {
        const out = scrubber(`seen ${date}. Next visit`);
        expect(out, date).toContain(TEXT_REDACTED);
        expect(out, date).not.toMatch(/\b(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\b(?!:)|\b(?:jan|feb|mar|may|jun|sep|dec)/i);
      }
    }
  });

  it("keeps years, times, scores, ranges and numbers that are no dates", () => {
    const kept = [
      "In 2019 she moved; since 2020-2021 better",
      "session at 10:30, 45 minutes",
      "PHQ-9 14/27, GAD-7 9/21, BP 120/80",
      "12-45-2024 is no date, nor 2024-13-40",
      "a score of 5 may indicate mild symptoms; you may 2x the dose",
      "sleeps 6-8 hours, 3.5 kg, version 1.2",
      "maybe 3 times; the mayor 2 weeks ago; Marches 2",
      // MAR: the medication administration record; "dec": decreased; "may": the verb.
      "per MAR 2 doses given", "GAD-7 9 dec from 12", "PHQ-9 dec 4 points", "you may 3 times a day", "it may 12 hours later",
      // Dose titrations: a number triple with a unit after it holds no two-digit year.
      "titrate 5-10-20 mg", "5-10-20-40 mg over 4 weeks", "2.5-5-10 mg", "1-2-10 tablets", "6/12/25 mcg",
    ];
    for (const text of kept) expect(scrub(text), text).toBe(text);
  });

  it("with no known patient still removes the generic patterns", () => {
    expect(createTextScrubber(null)("call 555-201-3344 or a@b.co")).toBe(`call ${TEXT_REDACTED} or ${TEXT_REDACTED}`);
  });

  it("scrubs nested values at any depth without touching non-strings", () => {
    const nested = { a: [{ b: { c: [{ d: "Avery Quartermaine" }] } }], n: 3, t: true, z: null };
    expect(scrubDeep(nested, scrub)).toEqual({ a: [{ b: { c: [{ d: TEXT_REDACTED }] } }], n: 3, t: true, z: null });
  });
});
