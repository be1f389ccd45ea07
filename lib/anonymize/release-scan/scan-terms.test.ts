// The scan's own terms, read from the stored resource, and the scanner finding the forms people
// write: the probes of issue #16 (suffix spelled differently, lower case, a second address line,
// an identifier of a system no code knows, ZIP+4), and none of the values clinics legitimately share.
import { describe, expect, it } from "vitest";

import { createReleaseScanner, ReleaseScanError } from "@/lib/anonymize/release-scan";
import { scanTermsOf } from "@/lib/anonymize/release-scan/scan-terms";
import { birthDateDigitForms } from "@/lib/anonymize/release-scan/written-dates";
import { RAW_PATIENT, RAW_PATIENT_ROW } from "@/lib/anonymize/testing/raw-patient";

const scanner = createReleaseScanner([{ row: RAW_PATIENT_ROW, pseudonym: "P-raw" }]);
const kindIn = (text: string) => {
  try {
    scanner.scanBuffer(text, "notes.csv");
    return null;
  } catch (error) {
    if (error instanceof ReleaseScanError) return error.kind;
    throw error;
  }
};

describe("release scan terms from the stored resource", () => {
  it("reads names, lines, telecoms, identifiers of every system and contacts from the resource alone", () => {
    const terms = scanTermsOf({ id: "cm1", raw: RAW_PATIENT });
    expect(terms.names).toEqual(expect.arrayContaining(["Gwendolyn", "Rue", "Ashcombe-Tate", "Ashcombe", "Tate", "Wendy", "Jordan", "Keller", "Jordan Keller"]));
    expect(terms.streets).toEqual(expect.arrayContaining(["966 Chestnut Ave", "Apt 10B", "966 Chestnut", "zip 60201"]));
    expect(terms.phones).toEqual(expect.arrayContaining(["3125550187", "7735550142", "3125550199"]));
    expect(terms.ids).toEqual(expect.arrayContaining(["RBH0204117", "123-45-6789", "4417 2290 8831", "MH884412907", "pat-raw-1", "cm1"]));
    expect(terms.zipDigits).toEqual(["602014412"]);
    expect(terms.birthDate).toBe("1962-03-09");
  });

  it("writes a birth date's digit forms, padded and not", () => {
    const forms = birthDateDigitForms("1931-05-06");
    expect(forms.padded).toEqual(["19310506", "05061931"]);
    expect(forms.unpadded.sort()).toEqual(["0561931", "1931056", "1931506", "193156", "5061931", "561931"]);
    expect(birthDateDigitForms("May 1931")).toEqual({ padded: [], unpadded: [] });
  });
});

describe("the scanner finds identifiers as people write them", () => {
  it.each([
    ["I live at 966 chestnut avenue", "street address"],
    ["966 CHESTNUT AVE.", "street address"],
    ["in apartment 10-b", "street address"],
    ["flat #10B upstairs", "street address"],
    ["at 966 Chestnut now", "street address"],
    ["zip code 60201", "street address"],
    ["mail to 60201-4412", "street address"],
    ["programme no. 4417 2290 8831", "identifier"],
    ["441722908831", "identifier"],
    ["member MH884412907", "identifier"],
    ["Ashcombe Tate", "name"],
    ["wendy", "name"],
    ["call (312) 555 0199", "phone number"],
  ])("%s -> %s", (text, kind) => {
    expect(kindIn(text)).toBe(kind);
  });

  it("searches a short unit number with its designator only: '#7' is too common in notes", () => {
    const apartment7 = createReleaseScanner([{ row: { id: "cm7", raw: { address: [{ line: ["12 Elm Street", "Apt 7"] }] } }, pseudonym: "P-7" }]);
    const refuses = (text: string) => {
      try {
        apartment7.scanBuffer(text, "notes.csv");
        return false;
      } catch (error) {
        if (error instanceof ReleaseScanError) return true;
        throw error;
      }
    };
    expect(refuses("goal #7 met")).toBe(false);
    expect(refuses("lives in apt. 7")).toBe(true);
    expect(refuses("Suite 7")).toBe(true);
    expect(refuses("12 elm st")).toBe(true);
  });

  it("passes what a clinic's own rows and clinical text hold", () => {
    // The organizations dataset keeps the clinic's city, state and ZIP: a patient in the same town must not refuse it.
    expect(kindIn("org-1,Riverside Clinic,Evanston,IL,60201")).toBeNull();
    expect(kindIn("Chestnut Ave clinic; unit 10 of the course; 966 mg")).toBeNull();
  });
});
