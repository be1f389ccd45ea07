// What is known to identify one patient: the values the scrubber removes from their free text
// and the release scan searches every exported byte for.
import { pseudonymize } from "@/lib/anonymize/pseudonym";

export type TPatientIdentity = {
  /** The internal id (a raw id; also what the pseudonym is computed from). */
  id: string;
  /** The patient's pseudonym, used to name the patient in scan errors without PHI. */
  pseudonym: string;
  names: string[];
  /** Given (or preferred) and family name together, both orders, with the middle name, and the emergency contact's name. */
  fullNames: string[];
  phones: string[];
  emails: string[];
  /** Street lines (and city, for the scrubber). */
  streets: string[];
  cities: string[];
  birthDate: string | null;
  /** fhirId, MRN, SSN, Medicaid, insurance member ids. */
  ids: string[];
};

/** The Patient columns identityOf reads (all text on both databases; birthDate is an ISO date). */
export const PATIENT_IDENTITY_FIELDS = [
  "id", "fhirId", "mrn", "ssn", "medicaidId", "insuranceMemberId", "givenName", "middleName", "familyName", "preferredName",
  "birthDate", "phone", "mobilePhone", "email", "addressLine", "city", "emergencyContactName", "emergencyContactPhone",
] as const;

export type TPatientIdentitySource = { id: string } & Partial<Record<Exclude<(typeof PATIENT_IDENTITY_FIELDS)[number], "id">, string | null>>;

const present = (values: (string | null | undefined)[]) => [...new Set(values.map((value) => value?.trim() ?? "").filter(Boolean))];

function fullNamesOf(patient: TPatientIdentitySource): string[] {
  const family = patient.familyName?.trim();
  const given = patient.givenName?.trim();
  const middle = patient.middleName?.trim();
  const firsts = family ? [given, patient.preferredName?.trim()].filter((name): name is string => Boolean(name)) : [];

  return present([
    ...firsts.flatMap((first) => [`${first} ${family}`, `${family} ${first}`]),
    family && given && middle ? `${given} ${middle} ${family}` : null,
    patient.emergencyContactName,
  ]);
}

export function identityOf(patient: TPatientIdentitySource, pseudonym: string): TPatientIdentity {
  // Multi-word names ("Mary Ann", "van der Berg") are searched word by word as well.
  const nameParts = [patient.givenName, patient.middleName, patient.familyName, patient.preferredName, ...(patient.emergencyContactName ?? "").split(/\s+/)];
  const names = present(nameParts.flatMap((name) => [name, ...(name ?? "").split(/[\s-]+/)]));

  return {
    id: patient.id,
    pseudonym,
    names,
    fullNames: fullNamesOf(patient),
    phones: present([patient.phone, patient.mobilePhone, patient.emergencyContactPhone]),
    emails: present([patient.email]),
    streets: present([patient.addressLine]),
    cities: present([patient.city]),
    birthDate: patient.birthDate?.trim() || null,
    ids: present([patient.id, patient.fhirId, patient.mrn, patient.ssn, patient.medicaidId, patient.insuranceMemberId]),
  };
}

/** The identity under the patient's keyed pseudonym, as the export names them (scan errors, scrubbers). */
export function keyedIdentityOf(patient: TPatientIdentitySource, key: string): TPatientIdentity {
  return identityOf(patient, pseudonymize(key, "patient", patient.id));
}
