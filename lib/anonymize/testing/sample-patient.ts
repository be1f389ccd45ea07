// One patient's identity with every kind of identifier, for the anonymization unit tests.
import { identityOf } from "@/lib/anonymize/patient-identity";

export const SAMPLE_PATIENT = identityOf(
  {
    id: "cmpatient0001",
    fhirId: "pat-77",
    mrn: "MRN-448812",
    ssn: "123-45-6789",
    medicaidId: "MCD9981234",
    givenName: "Avery",
    middleName: "Jo",
    familyName: "Quartermaine",
    preferredName: "Ave",
    birthDate: "1985-04-12",
    phone: "555-201-3344",
    email: "avery.q@example.org",
    addressLine: "12 Elm Street",
    city: "Springfield",
  },
  "P-test",
);
