// The release scan's own search terms for one patient, read from the stored Patient row and its
// FHIR resource. Written apart from the scrubber's identity (patient-identity.ts) on purpose: the
// scan is a second line of defence only if it does not share the first line's model of a patient.
// It shares only the low-level spelling rules of normalize.ts.
//
// What it leaves out, and why: a city, a district and a bare ZIP-5 are kept columns of the
// organizations and locations datasets (a clinic in the patient's town), so searching them would
// refuse every release; the scrubber removes them from the patient's free text, and a ZIP-5 is
// searched where it is written as one ("zip 60201"). A street name without its house number is
// searched by the scrubber only, for the same reason.
import { digitsOnly, parseStoredJson, phoneDigits, zipParts } from "@/lib/anonymize/normalize";

/** The Patient row as the identity source reads it (columns as text, `raw` as stored). */
export type TScanPatientRow = { id: string; raw?: unknown } & Partial<Record<string, unknown>>;

export type TScanTerms = {
  /** Name words and whole names (given and family both orders, contacts). */
  names: string[];
  emails: string[];
  /** Address phrases: every line, each comma part, house number + street name, a ZIP-5 written as one. */
  streets: string[];
  /** Phone digits (ten, or seven without an area code). */
  phones: string[];
  /** ZIP+4 as its nine digits. */
  zipDigits: string[];
  birthDate: string | null;
  /** Identifier values as written, of any system, and the row's own ids. */
  ids: string[];
};

type TJson = Record<string, unknown>;
const asList = (value: unknown): TJson[] => (Array.isArray(value) ? value.filter((entry): entry is TJson => typeof entry === "object" && entry !== null) : []);
const asText = (value: unknown) => (typeof value === "string" ? value.trim() : "");
const nonEmpty = (values: unknown[]) => [...new Set(values.map(asText).filter((value) => value.length > 0))];

/** A street line: itself, each part between commas, and "966 Chestnut" of "966 Chestnut Ave". */
function lineTerms(line: string): string[] {
  const terms = [line];
  for (const part of line.split(",").map((piece) => piece.trim()).filter(Boolean)) {
    terms.push(part);
    const words = part.split(/\s+/);
    if (words.length >= 3 && /^\d/.test(words[0]!)) terms.push(words.slice(0, -1).join(" "));
  }

  return terms;
}

export function scanTermsOf(row: TScanPatientRow): TScanTerms {
  const resource = parseStoredJson(row.raw) ?? {};
  const terms: TScanTerms = { names: [], emails: [], streets: [], phones: [], zipDigits: [], birthDate: null, ids: [] };

  const givens: string[] = [];
  const families: string[] = [];
  const nameOf = (name: TJson) => {
    const given = Array.isArray(name.given) ? nonEmpty(name.given) : [];
    const family = asText(name.family);
    givens.push(...given);
    if (family) families.push(family);
    terms.names.push(...given, family, asText(name.text), ...family.split(/[-\s]+/));
    if (given.length && family) terms.names.push(`${given.join(" ")} ${family}`);
  };
  const telecomOf = (points: unknown) => {
    for (const point of asList(points)) {
      const value = asText(point.value);
      if (!value) continue;
      if (point.system === "email") terms.emails.push(value);
      else if (point.system === "phone" || point.system === "sms" || point.system === "fax" || point.system === "pager") terms.phones.push(value);
      else terms.ids.push(value);
    }
  };
  const addressOf = (address: TJson) => {
    const lines = Array.isArray(address.line) ? nonEmpty(address.line) : nonEmpty([address.text]);
    for (const line of lines) terms.streets.push(...lineTerms(line));
    const zip = zipParts(asText(address.postalCode));
    if (zip) {
      terms.streets.push(`zip ${zip.zip5}`, `zip code ${zip.zip5}`, `postal code ${zip.zip5}`);
      if (zip.zip9) terms.zipDigits.push(zip.zip9);
    }
  };

  for (const name of asList(resource.name)) nameOf(name);
  telecomOf(resource.telecom);
  for (const address of asList(resource.address)) addressOf(address);
  for (const identifier of asList(resource.identifier)) terms.ids.push(asText(identifier.value));
  for (const contact of asList(resource.contact)) {
    if (contact.name && typeof contact.name === "object") nameOf(contact.name as TJson);
    telecomOf(contact.telecom);
    if (contact.address && typeof contact.address === "object") addressOf(contact.address as TJson);
  }

  // The row's columns: rows created without a resource, and values edited after import.
  const column = (name: string) => asText(row[name]);
  givens.push(...nonEmpty([column("givenName"), column("preferredName")]));
  families.push(...nonEmpty([column("familyName")]));
  terms.names.push(column("givenName"), column("middleName"), column("familyName"), column("preferredName"), column("emergencyContactName"), ...column("emergencyContactName").split(/\s+/), ...column("familyName").split(/[-\s]+/));
  const middle = column("middleName");
  if (middle && column("givenName") && column("familyName")) terms.names.push(`${column("givenName")} ${middle} ${column("familyName")}`);
  for (const given of givens) for (const family of families) terms.names.push(`${given} ${family}`, `${family} ${given}`);
  terms.emails.push(column("email"));
  terms.phones.push(column("phone"), column("mobilePhone"), column("emergencyContactPhone"));
  // The column joins the address lines with ", ": each part is searched (lineTerms), never only the whole.
  if (column("addressLine")) terms.streets.push(...lineTerms(column("addressLine")));
  const postal = zipParts(column("postalCode"));
  if (postal?.zip9) terms.zipDigits.push(postal.zip9);
  if (postal) terms.streets.push(`zip ${postal.zip5}`, `zip code ${postal.zip5}`);
  terms.ids.push(row.id, column("fhirId"), column("mrn"), column("ssn"), column("medicaidId"), column("insuranceMemberId"), asText(resource.id));
  terms.birthDate = column("birthDate") || asText(resource.birthDate) || null;

  return {
    names: nonEmpty(terms.names),
    emails: nonEmpty(terms.emails),
    streets: nonEmpty(terms.streets),
    phones: nonEmpty(terms.phones.map((phone) => phoneDigits(phone) ?? "")),
    zipDigits: nonEmpty(terms.zipDigits),
    birthDate: terms.birthDate,
    ids: nonEmpty(terms.ids),
  };
}

/** An identifier's digits when written with separators ("4417 2290 8831"): searched as a number (7 to 15 digits). */
export const idDigitsOf = (id: string) => {
  const digits = digitsOnly(id);

  return digits.length >= 7 && digits.length <= 15 && digits.length >= id.replace(/[\s().-]/g, "").length - 3 ? digits : null;
};
