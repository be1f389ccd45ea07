// What is known to identify one patient: the values the scrubber removes from their free text
// and the release scan searches every exported byte for.

export type TPatientIdentity = {
  /** The internal id (a raw id; also what the pseudonym is computed from). */
  id: string;
  /** The patient's pseudonym, used to name the patient in scan errors without PHI. */
  pseudonym: string;
  names: string[];
  phones: string[];
  emails: string[];
  /** Street lines (and city, for the scrubber). */
  streets: string[];
  cities: string[];
  birthDate: string | null;
  /** fhirId, MRN, SSN, Medicaid, insurance member ids. */
  ids: string[];
};

export type TPatientIdentitySource = {
  id: string;
  fhirId?: string | null;
  mrn?: string | null;
  ssn?: string | null;
  medicaidId?: string | null;
  insuranceMemberId?: string | null;
  givenName?: string | null;
  middleName?: string | null;
  familyName?: string | null;
  preferredName?: string | null;
  birthDate?: string | null;
  phone?: string | null;
  mobilePhone?: string | null;
  email?: string | null;
  addressLine?: string | null;
  city?: string | null;
  emergencyContactName?: string | null;
  emergencyContactPhone?: string | null;
};

/** The Patient fields identityOf reads (a Prisma `select`). */
export const PATIENT_IDENTITY_SELECT = {
  id: true,
  fhirId: true,
  mrn: true,
  ssn: true,
  medicaidId: true,
  insuranceMemberId: true,
  givenName: true,
  middleName: true,
  familyName: true,
  preferredName: true,
  birthDate: true,
  phone: true,
  mobilePhone: true,
  email: true,
  addressLine: true,
  city: true,
  emergencyContactName: true,
  emergencyContactPhone: true,
} as const;

const present = (values: (string | null | undefined)[]) => [...new Set(values.map((value) => value?.trim() ?? "").filter(Boolean))];

export function identityOf(patient: TPatientIdentitySource, pseudonym: string): TPatientIdentity {
  // Multi-word names ("Mary Ann", "van der Berg") are searched word by word as well.
  const nameParts = [patient.givenName, patient.middleName, patient.familyName, patient.preferredName, ...(patient.emergencyContactName ?? "").split(/\s+/)];
  const names = present(nameParts.flatMap((name) => [name, ...(name ?? "").split(/[\s-]+/)]));

  return {
    id: patient.id,
    pseudonym,
    names,
    phones: present([patient.phone, patient.mobilePhone, patient.emergencyContactPhone]),
    emails: present([patient.email]),
    streets: present([patient.addressLine]),
    cities: present([patient.city]),
    birthDate: patient.birthDate?.trim() || null,
    ids: present([patient.id, patient.fhirId, patient.mrn, patient.ssn, patient.medicaidId, patient.insuranceMemberId]),
  };
}
