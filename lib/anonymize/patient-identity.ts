// What is known to identify one patient: the values the scrubber removes from their free text.
// Derived from the stored FHIR Patient as imported (`raw`: every name, address line, telecom,
// identifier and contact) and from the Patient columns (rows created without a resource). The
// release scan derives its own terms apart from this (release-scan/scan-terms.ts): a second line of
// defence that shared this model of a patient would miss what this one misses.
import { parseStoredJson, zipParts } from "@/lib/anonymize/normalize";
import { pseudonymize } from "@/lib/anonymize/pseudonym";

export type TPatientIdentity = {
  /** The internal id (a raw id; also what the pseudonym is computed from). */
  id: string;
  /** The patient's pseudonym, used to name the patient in scan errors without PHI. */
  pseudonym: string;
  /** Every name word alone: given names, each part of a compound or hyphenated family name, nicknames, contacts' names. */
  names: string[];
  /** Given (or preferred) and family name together, both orders, with the middle name, and every contact's whole name. */
  fullNames: string[];
  /** The patient's and their contacts' phone (and fax) numbers. */
  phones: string[];
  emails: string[];
  /**
   * Address phrases, each searched on its own, in any case, punctuation and suffix spelling: every
   * address line and each comma-separated part of it ("Apt 10B"), the house number with the street
   * name ("966 Chestnut"), and the street name with its suffix ("Chestnut Ave"). Never only the
   * joined address, which nobody writes in a note.
   */
  streets: string[];
  /** City and district. */
  cities: string[];
  /** ZIP-5 and ZIP+4 (its nine digits), of every address. */
  zips: string[];
  birthDate: string | null;
  /** Every identifier value whatever its system (MRN, SSN, Medicaid, member ids, unknown systems), and the fhirId and internal id. */
  ids: string[];
};

/** The Patient columns identityOf reads (all text on both databases; birthDate is an ISO date; raw is the stored resource). */
export const PATIENT_IDENTITY_FIELDS = [
  "id", "fhirId", "mrn", "ssn", "medicaidId", "insuranceMemberId", "givenName", "middleName", "familyName", "preferredName",
  "birthDate", "phone", "mobilePhone", "email", "addressLine", "city", "postalCode", "emergencyContactName", "emergencyContactPhone", "raw",
] as const;

/** A Patient row: the columns as text, and `raw` as stored (an object, or its JSON text through the SQLite driver). */
export type TPatientIdentitySource = { id: string; raw?: unknown } & Partial<Record<Exclude<(typeof PATIENT_IDENTITY_FIELDS)[number], "id" | "raw">, string | null>>;

const present = (values: (string | null | undefined)[]) => [...new Set(values.map((value) => value?.trim() ?? "").filter(Boolean))];

type TJson = Record<string, unknown>;
const list = (value: unknown): TJson[] => (Array.isArray(value) ? value.filter((entry): entry is TJson => Boolean(entry) && typeof entry === "object") : []);
const text = (value: unknown): string | null => (typeof value === "string" && value.trim() ? value.trim() : null);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.map(text).filter((entry): entry is string => entry !== null) : []);

/** The words of a name: "Ashcombe-Tate" -> Ashcombe, Tate; "van der Berg" -> van, der, Berg (and the whole). */
const nameWords = (name: string) => [name, ...name.split(/[\s\-‐–—.,']+/)];

/** One HumanName: its words and the whole names a note could hold. */
function humanName(name: TJson) {
  const given = texts(name.given);
  const family = text(name.family);
  const whole = text(name.text);
  const parts = [...given, ...(family ? [family] : []), ...(whole ? [whole] : []), ...texts(name.prefix).filter((prefix) => prefix.length > 3)];
  const wholes = [whole, given.length && family ? `${given.join(" ")} ${family}` : null, given[0] && family ? `${given[0]} ${family}` : null, given[0] && family ? `${family} ${given[0]}` : null];

  return { words: parts.flatMap(nameWords), wholes };
}

/** One Address: each line and each comma-separated part, house number + street name, street name + suffix. */
function addressPhrases(lines: string[]) {
  const phrases: string[] = [];
  for (const line of lines) {
    phrases.push(line);
    for (const part of line.split(/[,;\n]+/)) {
      const trimmed = part.trim();
      if (!trimmed) continue;
      phrases.push(trimmed);
      // "966 Chestnut Ave" -> "966 Chestnut", "Chestnut Ave": a street written without its number or suffix.
      const words = trimmed.split(/\s+/);
      const hasNumber = /^\d+[A-Za-z]?$/.test(words[0] ?? "");
      if (hasNumber && words.length >= 3) {
        phrases.push(words.slice(0, -1).join(" "));
        phrases.push(words.slice(1).join(" "));
      }
    }
  }

  return phrases;
}

/** Everything the stored resource names: the patient's own elements and every contact's. */
function fromResource(resource: TJson | null) {
  const found = { names: [] as string[], fullNames: [] as (string | null)[], phones: [] as string[], emails: [] as string[], streets: [] as string[], cities: [] as string[], zips: [] as string[], ids: [] as string[], birthDate: null as string | null };
  if (!resource) return found;
  const addName = (name: TJson) => {
    const { words, wholes } = humanName(name);
    found.names.push(...words);
    found.fullNames.push(...wholes);
  };
  const addTelecom = (points: unknown) => {
    for (const point of list(points)) {
      const value = text(point.value);
      if (!value) continue;
      if (point.system === "email" || value.includes("@")) found.emails.push(value);
      else if (point.system === "url" || point.system === "other") found.ids.push(value);
      else found.phones.push(value);
    }
  };
  const addAddress = (address: TJson) => {
    const lines = texts(address.line);
    found.streets.push(...addressPhrases(lines.length ? lines : texts([address.text])));
    found.cities.push(...texts([address.city, address.district]));
    const zip = text(address.postalCode);
    const parts = zip ? zipParts(zip) : null;
    if (parts) found.zips.push(parts.zip5, ...(parts.zip9 ? [parts.zip9] : []));
  };

  for (const name of list(resource.name)) addName(name);
  addTelecom(resource.telecom);
  for (const address of list(resource.address)) addAddress(address);
  for (const identifier of list(resource.identifier)) {
    const value = text(identifier.value);
    if (value) found.ids.push(value);
  }
  found.ids.push(...texts([resource.id]));
  found.birthDate = text(resource.birthDate);
  // Patient.contact: emergency contacts, guardians, next of kin (RelatedPerson is not stored on its own).
  for (const contact of list(resource.contact)) {
    if (contact.name && typeof contact.name === "object") addName(contact.name as TJson);
    addTelecom(contact.telecom);
    if (contact.address && typeof contact.address === "object") addAddress(contact.address as TJson);
  }

  return found;
}

function fullNamesOf(patient: TPatientIdentitySource): (string | null)[] {
  const family = patient.familyName?.trim();
  const given = patient.givenName?.trim();
  const middle = patient.middleName?.trim();
  const firsts = family ? [given, patient.preferredName?.trim()].filter((name): name is string => Boolean(name)) : [];

  return [...firsts.flatMap((first) => [`${first} ${family}`, `${family} ${first}`]), family && given && middle ? `${given} ${middle} ${family}` : null, patient.emergencyContactName ?? null];
}

export function identityOf(patient: TPatientIdentitySource, pseudonym: string): TPatientIdentity {
  const resource = fromResource(parseStoredJson(patient.raw));
  const columnNames = [patient.givenName, patient.middleName, patient.familyName, patient.preferredName, patient.emergencyContactName].flatMap((name) => (name ? nameWords(name) : []));
  const postal = patient.postalCode ? zipParts(patient.postalCode) : null;
  const ids = present([patient.id, patient.fhirId, patient.mrn, patient.ssn, patient.medicaidId, patient.insuranceMemberId, ...resource.ids]);

  return {
    id: patient.id,
    pseudonym,
    names: present([...columnNames, ...resource.names]),
    fullNames: present([...fullNamesOf(patient), ...resource.fullNames]),
    phones: present([patient.phone, patient.mobilePhone, patient.emergencyContactPhone, ...resource.phones]),
    emails: present([patient.email, ...resource.emails]),
    // The addressLine column joins the lines with ", " for display: its parts are searched, never only the whole.
    streets: present([...addressPhrases(patient.addressLine ? [patient.addressLine] : []), ...resource.streets]),
    cities: present([patient.city, ...resource.cities]),
    zips: present([postal?.zip5, postal?.zip9, ...resource.zips]),
    birthDate: patient.birthDate?.trim() || resource.birthDate,
    ids,
  };
}

/** The identity under the patient's keyed pseudonym, as the export names them (scan errors, scrubbers). */
export function keyedIdentityOf(patient: TPatientIdentitySource, key: string): TPatientIdentity {
  return identityOf(patient, pseudonymize(key, "patient", patient.id));
}
