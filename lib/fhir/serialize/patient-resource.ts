// Patient: the one mapping of a patient's columns to R4, shared by the report writer and the API.
import { IDENTIFIER_SYSTEMS } from "@/lib/fhir/fhir-conventions";
import { compact, GENDERS, isFhirDate, present, type TMeta, type TReference } from "@/lib/fhir/serialize/fhir-values";

export type TPatientInput = {
  id: string;
  meta?: TMeta | null;
  mrn?: string | null;
  medicaidId?: string | null;
  memberId?: string | null;
  payer?: string | null;
  familyName?: string | null;
  givenNames?: (string | null)[];
  preferredName?: string | null;
  gender?: string | null;
  birthDate?: string | null;
  /** Extensions in place of the birth date (an aggregated age of 90+). */
  extension?: Record<string, unknown>[];
  phone?: string | null;
  mobilePhone?: string | null;
  email?: string | null;
  address?: { text?: string | null; line?: string | null; city?: string | null; state?: string | null; postalCode?: string | null; country?: string | null } | null;
  emergencyContact?: { name?: string | null; phone?: string | null } | null;
  language?: string | null;
  maritalStatus?: string | null;
  active?: boolean | null;
  managingOrganization?: TReference | null;
  generalPractitioner?: TReference | null;
};

export function buildPatientResource(input: TPatientInput) {
  const given = present(input.givenNames ?? []);
  const address = input.address ? compact({ text: input.address.text, line: input.address.line ? [input.address.line] : [], city: input.address.city, state: input.address.state, postalCode: input.address.postalCode, country: input.address.country }) : null;
  const contact = input.emergencyContact ? compact({ name: input.emergencyContact.name ? { text: input.emergencyContact.name } : null, telecom: input.emergencyContact.phone ? [{ system: "phone", value: input.emergencyContact.phone }] : [] }) : null;

  return compact({
    resourceType: "Patient",
    id: input.id,
    meta: input.meta,
    identifier: present([
      input.mrn ? { system: IDENTIFIER_SYSTEMS.mrn, value: input.mrn } : null,
      input.medicaidId ? { system: IDENTIFIER_SYSTEMS.medicaid, value: input.medicaidId } : null,
      input.memberId ? compact({ system: IDENTIFIER_SYSTEMS.insuranceMember, value: input.memberId, assigner: input.payer ? { display: input.payer } : null }) : null,
    ]),
    name: present([
      input.familyName || given.length ? compact({ use: "official", family: input.familyName, given }) : null,
      input.preferredName ? { use: "usual", given: [input.preferredName] } : null,
    ]),
    gender: input.gender && GENDERS.has(input.gender) ? input.gender : null,
    birthDate: isFhirDate(input.birthDate) ? input.birthDate : null,
    telecom: present([
      input.phone ? { system: "phone", value: input.phone } : null,
      input.mobilePhone ? { system: "phone", value: input.mobilePhone, use: "mobile" } : null,
      input.email ? { system: "email", value: input.email } : null,
    ]),
    address: address && Object.keys(address).length ? [address] : [],
    extension: input.extension ?? [],
    active: input.active ?? null,
    contact: contact && Object.keys(contact).length ? [contact] : [],
    communication: input.language ? [{ language: { text: input.language } }] : [],
    maritalStatus: input.maritalStatus ? { text: input.maritalStatus } : null,
    managingOrganization: input.managingOrganization,
    generalPractitioner: input.generalPractitioner ? [input.generalPractitioner] : [],
  });
}
