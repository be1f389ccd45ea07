// Long free text must scrub in linear time: a pattern that backtracks over a long run (an e-mail
// pattern tried from every character of a run without "@", two optional blank runs side by side)
// took 5 s and more on a 100 KB note, per note, inside an export. Each input is measured once
// against a generous bound: a guard against that regression, not a benchmark.
import { describe, expect, it } from "vitest";

import { SAMPLE_PATIENT } from "@/lib/anonymize/testing/sample-patient";
import { createTextScrubber, TEXT_REDACTED } from "@/lib/anonymize/scrub-text";
import { thirdPartyScrubber } from "@/lib/anonymize/third-party-scrubber";

const SIZE = 200_000;
const repeat = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);

/** Runs of characters an e-mail's local part, a number or a date may hold, none ending a match. */
const LONG_INPUTS: Record<string, string> = {
  "digits": repeat("1"),
  "1.": repeat("1."),
  "3-": repeat("3-"),
  "1/": repeat("1/"),
  "letters and dots": repeat("a."),
  "a run after an @": `a@${repeat("1.")}`,
  "@ after @": repeat("a@1."),
  "blanks after a label": `MRN${" ".repeat(SIZE)}`,
  "blanks after a month": `May${" ".repeat(SIZE)}`,
  "blanks after a day": `6${" ".repeat(SIZE)}`,
  "blanks after a relation word": `sister${" ".repeat(SIZE)}`,
  "month words and days": repeat("May 6 "),
  "day-month-day chains": repeat("6-May-"),
  "number triples": repeat("5-10-20-"),
  "ISO-like chains": repeat("2024-03-"),
  "phone-like digits": repeat("555 201 "),
  "hex and colons": repeat("ab:"),
};

const patient = SAMPLE_PATIENT;

const BOUND_MS = 1000;

function elapsedMs(run: () => unknown) {
  const start = performance.now();
  run();

  return performance.now() - start;
}

describe("scrubbing a 200 KB note", () => {
  const scrubbers = { "the dataset scrubber": createTextScrubber(patient), "the generic scrubber": createTextScrubber(null) };
  for (const [scrubberName, scrub] of Object.entries(scrubbers)) {
    for (const [name, text] of Object.entries(LONG_INPUTS)) {
      it(`${scrubberName}: ${name} finishes in well under a second`, () => {
        expect(elapsedMs(() => scrub(text))).toBeLessThan(BOUND_MS);
      });
    }
  }

  const thirdParty = thirdPartyScrubber({ emergencyContactName: "Jordan Keller", givenName: "Morgan", familyName: "Reportson", preferredName: null });
  for (const [name, text] of Object.entries(LONG_INPUTS)) {
    it(`the report's third-party scrubber: ${name} finishes in well under a second`, () => {
      expect(elapsedMs(() => thirdParty(text))).toBeLessThan(BOUND_MS);
    });
  }

  it("still finds an e-mail address at the end of a long run, and not one hidden in a longer run", () => {
    const scrub = createTextScrubber(null);
    expect(scrub(`${repeat("1.")} write to x.y@z.com`).endsWith(`write to ${TEXT_REDACTED}`)).toBe(true);
    expect(thirdParty(`${repeat("3-")} write to x.y@z.com`)).toMatch(/write to \[email removed\]$/);
    // The whole address goes, never its tail: "+", "%", "." and "-" belong to its local part.
    for (const address of ["first.last+tag@example.org", "a%b@example.co.uk", "o'neil-x_1@host.example"]) {
      expect(scrub(`mail ${address} today`), address).not.toMatch(/@|example/);
      expect(thirdParty(`mail ${address} today`), address).not.toMatch(/@|example/);
    }
  });
});
