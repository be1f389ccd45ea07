// A stored FHIR Patient with everything people write about a patient spread the way FHIR holds it:
// a two-line address, a hyphenated family name, identifiers of known and unknown systems, contacts.
export const RAW_PATIENT = {
  resourceType: "Patient",
  id: "pat-raw-1",
  identifier: [
    { system: "http://hospital.example/mrn", value: "RBH0204117" },
    { system: "http://hl7.org/fhir/sid/us-ssn", value: "123-45-6789" },
    { system: "urn:oid:2.16.840.1.113883.4.1.99", value: "4417 2290 8831" },
    { system: "https://payer.example/member", value: "MH884412907" },
  ],
  name: [
    { use: "official", family: "Ashcombe-Tate", given: ["Gwendolyn", "Rue"] },
    { use: "nickname", given: ["Wendy"] },
  ],
  telecom: [
    { system: "phone", value: "(312) 555-0187", use: "home" },
    { system: "phone", value: "773.555.0142", use: "mobile" },
    { system: "email", value: "gwen.at@mail.example" },
  ],
  birthDate: "1962-03-09",
  address: [{ use: "home", line: ["966 Chestnut Ave", "Apt 10B"], city: "Evanston", district: "Cook", state: "IL", postalCode: "60201-4412" }],
  contact: [{ name: { given: ["Jordan"], family: "Keller" }, telecom: [{ system: "phone", value: "312-555-0199" }] }],
};

/** The row a Patient import stores for RAW_PATIENT: the joined address line, and the resource itself. */
export const RAW_PATIENT_ROW = {
  id: "cmrawpatient01",
  fhirId: "pat-raw-1",
  givenName: "Gwendolyn",
  middleName: "Rue",
  familyName: "Ashcombe-Tate",
  birthDate: "1962-03-09",
  phone: "(312) 555-0187",
  addressLine: "966 Chestnut Ave, Apt 10B",
  city: "Evanston",
  postalCode: "60201-4412",
  raw: JSON.stringify(RAW_PATIENT),
};
