import { describe, expect, it } from "vitest";

import { identityOf } from "@/lib/anonymize/patient-identity";
import { RAW_PATIENT, RAW_PATIENT_ROW } from "@/lib/anonymize/testing/raw-patient";

describe("a patient's identity from the stored resource", () => {
  const identity = identityOf(RAW_PATIENT_ROW, "P-raw");

  it("names every given name, each part of a hyphenated family name, nicknames and contacts", () => {
    expect(identity.names).toEqual(expect.arrayContaining(["Gwendolyn", "Rue", "Ashcombe-Tate", "Ashcombe", "Tate", "Wendy", "Jordan", "Keller"]));
    expect(identity.fullNames).toEqual(expect.arrayContaining(["Gwendolyn Ashcombe-Tate", "Ashcombe-Tate Gwendolyn", "Jordan Keller"]));
  });

  it("keeps every address line on its own, the house number with the street, the street with its suffix, city, district and both ZIP forms", () => {
    expect(identity.streets).toEqual(expect.arrayContaining(["966 Chestnut Ave", "Apt 10B", "966 Chestnut", "Chestnut Ave"]));
    expect(identity.cities).toEqual(expect.arrayContaining(["Evanston", "Cook"]));
    expect(identity.zips).toEqual(expect.arrayContaining(["60201", "602014412"]));
  });

  it("takes every identifier whatever its system, every telecom and the contacts' phones", () => {
    expect(identity.ids).toEqual(expect.arrayContaining(["RBH0204117", "123-45-6789", "4417 2290 8831", "MH884412907", "pat-raw-1", "cmrawpatient01"]));
    expect(identity.phones).toEqual(expect.arrayContaining(["(312) 555-0187", "773.555.0142", "312-555-0199"]));
    expect(identity.emails).toEqual(["gwen.at@mail.example"]);
    expect(identity.birthDate).toBe("1962-03-09");
  });

  it("reads the resource as an object too (PostgreSQL), and the columns alone when none was stored", () => {
    expect(identityOf({ ...RAW_PATIENT_ROW, raw: RAW_PATIENT }, "P-raw")).toEqual(identity);
    const columnsOnly = identityOf({ id: "cm1", addressLine: "12 Elm Street, Unit 4", givenName: "Avery", familyName: "Quartermaine", raw: {} }, "P-1");
    expect(columnsOnly.streets).toEqual(expect.arrayContaining(["12 Elm Street", "Unit 4", "12 Elm", "Elm Street"]));
  });
});
