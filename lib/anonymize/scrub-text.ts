// Free-text scrubbing: notes, free-text answers, comments. Removes the patient's own known
// identifiers (in any case and order) and anything shaped like a phone, email, SSN, id, URL or
// IP address, replacing each with [REDACTED].
import type { TPatientIdentity } from "@/lib/anonymize/patient-identity";

export const TEXT_REDACTED = "[REDACTED]";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A phone number's digits with any separators between them: "5552013344" matches "(555) 201-3344". */
function digitsPattern(phone: string): string | null {
  let digits = phone.replace(/\D/g, "");
  if (digits.length === 11 && digits.startsWith("1")) digits = digits.slice(1);
  if (digits.length < 7) return null;

  return `(?:\\+?1[\\s.-]*)?\\(?${[...digits].join("[\\s().-]*")}`;
}

/** The street with flexible whitespace and optional punctuation ("12 Elm St." ~ "12  elm st"). */
function phrasePattern(phrase: string) {
  return phrase
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => escapeRegExp(word.replace(/[.,]$/, "")) + "[.,]?")
    .join("\\s+");
}

const GENERIC_PATTERNS: RegExp[] = [
  // URLs and e-mail addresses first: they contain digits the number patterns would split.
  /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi,
  /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi,
  // IPv4 and IPv6.
  /\b(?:\d{1,3}\.){3}\d{1,3}\b/g,
  /\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b/gi,
  // SSN.
  /\b\d{3}[\s-]\d{2}[\s-]\d{4}\b/g,
  // Phones in any common format: 555-201-3344, (555) 201 3344, +1 555.201.3344.
  /(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b/g,
  // Labelled ids: "MRN: A12345", "Medicaid #99-1234", "member id X123".
  /\b(?:MRN|medical record(?: number| no\.?)?|medicaid(?: id| number| no\.?)?|member(?: id| number| no\.?)|policy(?: number| no\.?)|SSN|social security(?: number)?)\s*[:#]?\s*[A-Z0-9][A-Z0-9-]{2,}/gi,
  // Any other run of 7 or more digits is treated as an id.
  /\b\d{7,}\b/g,
];

/** Text with none of these cannot match a generic pattern: most free text skips them all. */
const MAYBE_GENERIC = /[\d@:]|www\.|mrn|medic|member|policy|ssn|social/i;

export type TTextScrubber = (text: string) => string;

/** Builds the scrubber for one patient (or for no known patient: the generic patterns only). */
export function createTextScrubber(identity: TPatientIdentity | null): TTextScrubber {
  // Cheap substring probes (lower case) that every own-identifier match must contain; when none
  // is present the combined regex is skipped. Phones are probed by their last digit: separators may fall between any two of their digits.
  const probes = new Set<string>();
  if (identity) {
    for (const value of [...identity.ids, ...identity.emails, ...identity.names, ...identity.cities]) probes.add(value.toLowerCase());
    for (const street of identity.streets) probes.add(street.toLowerCase().split(/\s+/)[0]!);
    for (const phone of identity.phones) probes.add(phone.replace(/\D/g, "").slice(-1));
    if (identity.birthDate) probes.add(identity.birthDate.toLowerCase());
  }
  // Built and compiled on first need: most patients' text never contains any of their
  // identifiers, and an exporter keeps thousands of these scrubbers cached at once.
  let ownPattern: RegExp | null | undefined;

  const probeList = [...probes].filter(Boolean);

  return (text: string) => {
    if (!text) return text;
    let result = text;
    if (identity && ownPattern !== null) {
      const lower = text.toLowerCase();
      if (probeList.some((probe) => lower.includes(probe))) {
        ownPattern ??= ownIdentifierPattern(identity);
        if (ownPattern) result = result.replace(ownPattern, TEXT_REDACTED);
      }
    }
    if (!MAYBE_GENERIC.test(result)) return result;
    for (const pattern of GENERIC_PATTERNS) result = result.replace(pattern, TEXT_REDACTED);

    return result;
  };
}

/** One regex for all of a patient's own identifiers (null: none is long enough to match). */
function ownIdentifierPattern(identity: TPatientIdentity): RegExp | null {
  const own: string[] = [];
  for (const id of identity.ids) if (id.length >= 3) own.push(`(?<![A-Za-z0-9])${escapeRegExp(id)}(?![A-Za-z0-9])`);
  for (const email of identity.emails) own.push(escapeRegExp(email));
  for (const street of identity.streets) own.push(phrasePattern(street));
  for (const city of identity.cities) if (city.length >= 3) own.push(`\\b${phrasePattern(city)}\\b`);
  for (const phone of identity.phones) {
    const pattern = digitsPattern(phone);
    if (pattern) own.push(pattern);
  }
  if (identity.birthDate) own.push(escapeRegExp(identity.birthDate));
  // Longest names first so "Mary Ann" goes before "Mary"; Unicode-aware word edges.
  const names = [...identity.names].filter((name) => name.length >= 2).sort((a, b) => b.length - a.length);
  for (const name of names) own.push(`(?<![\\p{L}\\p{N}])${phrasePattern(name)}(?![\\p{L}\\p{N}])`);

  return own.length ? new RegExp(own.join("|"), "giu") : null;
}

/** Scrubs every string in a JSON value, at any depth (nested answers, item groups). */
export function scrubDeep<T>(value: T, scrub: TTextScrubber): T {
  if (typeof value === "string") return scrub(value) as T;
  if (Array.isArray(value)) return value.map((entry) => scrubDeep(entry, scrub)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, scrubDeep(entry, scrub)])) as T;
  }

  return value;
}
