// Free-text scrubbing: notes, free-text answers, comments. Removes the patient's own known
// identifiers (patient-identity.ts: names, addresses, ids, phones... matched on normalised tokens,
// so case, punctuation, hyphens and suffix spelling do not matter) and anything shaped like a
// phone, email, SSN, labelled id, ZIP beside a state or "zip", ZIP+4, URL, IP address or calendar
// date, replacing each with [REDACTED]. Best effort for anyone but the patient: only patterns.
import { digitsOnly, isAddressWord, wordTokens } from "@/lib/anonymize/normalize";
import type { TPatientIdentity } from "@/lib/anonymize/patient-identity";
import { EMAIL_PATTERN, PHONE_PATTERN } from "@/lib/anonymize/patterns";
import { createPhraseMatcher, replaceRanges, type TPhraseMatcher } from "@/lib/anonymize/phrase-matcher";

export const TEXT_REDACTED = "[REDACTED]";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A phone number's digits with any separators between them: "5552013344" matches "(555) 201-3344". */
function digitsPattern(phone: string): string | null {
  let digits = phone.replace(/\D/g, "");
  if (digits.length === 11 && digits.startsWith("1")) digits = digits.slice(1);
  if (digits.length < 7) return null;

  return `(?:\\+?1[\\s./-]*)?\\(?${[...digits].join("[\\s()./-]*")}`;
}

/**
 * The number without its area code, as it is dialled locally: "201-3344" of "312-201-3344". Only
 * the patient's own: any 3-4 digit pair ("100-1000 mg") would take far too much clinical text.
 */
function localDigitsPattern(phone: string): string | null {
  const digits = phone.replace(/\D/g, "");
  if (digits.length < 7) return null;
  const local = digits.slice(-7);

  return `(?<!\\d)${local.slice(0, 3)}[\\s./-]?${local.slice(3)}(?!\\d)`;
}

// Dates: in free text we cannot tell the patient's dates from anyone else's, and Safe Harbor
// allows no element of them but the year, so every calendar date goes. Plain years, times and
// scores are kept; day and month ranges are checked so "12-45-2024" or "14/27" are not dates.
// No "i" flag: a month's case tells "Mar 2" (March) from "MAR 2" (the medication administration
// record) and "Dec 3" from "dec 3" (decreased), so every word below is spelt in either case.
/** "may" -> "[mM][aA][yY]": a plain word (letters and regex syntax, no escapes) in any case. */
const anyCase = (word: string) => word.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
const DAY = "(?:0?[1-9]|[12]\\d|3[01])";
const MONTH_NUMBER = "(?:0?[1-9]|1[0-2])";
const YEAR = "(?:1[89]|20)\\d{2}";
/** A month's name in any case and form. */
const MONTH_NAME = `${anyCase("(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")}\\.?`;
/**
 * A month's name written as one on its own, without a year or an ordinal day to tell: "mar",
 * "dec" and "may" are clinical words in lower case ("dec from 12", "may 3 times") and "MAR" an
 * abbreviation, so these count only capitalised ("Mar", "Dec", "DEC", "May", "MAY"). "jun" and
 * "sep" stay months in any case: no clinical word is spelt so, and a lower-case date must not leak.
 */
const MONTH_WRITTEN = `(?:${anyCase("(?:jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|december)")}|Mar|Dec|DEC|May|MAY)\\.?`;
const ORDINAL = anyCase("(?:st|nd|rd|th)");
/** "6th": the ordinal suffix written after a day. */
const DAY_WRITTEN = `${DAY}${ORDINAL}?`;
/** ", 1931", " 1931", "-1931" after a written day and month. */
const WRITTEN_YEAR = `(?:,?\\s*|\\s*[-/.]\\s*)${YEAR}(?!\\d)`;
/**
 * What follows a number triple that is a dose, not a date with a two-digit year: "titrate
 * 5-10-20 mg", "5-10-20-40 mg". Bounded, as every lookahead here, so long runs stay linear.
 */
const NOT_A_YEAR_AFTER = `(?!(?:[-/.]\\d{1,4}){0,3}\\s{0,2}(?:${anyCase("(?:mg|mcg|ug|µg|gm?|kg|ml|cc|units?|iu|meq|mmol|tabs?|tablets?|caps?|capsules?|puffs?|drops?|gtts?|times)")}(?![a-zA-Z])|%))`;
/** A day before its month: "6 May", "6th of May", "06-May", "6.May". */
const DAY_BEFORE = `(?<![\\d.,])\\b`;
const OF = anyCase("of");
// One regex, one pass over the text: the backreferences keep a date's two separators alike.
const DATE_PATTERN = new RegExp(
  [
    // 2024-03-02, 2024/3/2 (of an ISO date-time, the time stays). Group 1.
    `(?<!\\d)${YEAR}([-/.])${MONTH_NUMBER}\\1${DAY}(?!\\d)`,
    // 3/2/2024, 03/02/24, 3-2-2024, and day-first 13.02.2024: either order, so a day's range for both.
    // Either date of a range ("3/2/2024-3/5/2024", "3/2/2024-present"). Group 2.
    `(?<![\\d/.])${DAY}([-/.])${DAY}\\2(?:${YEAR}|\\d{2}${NOT_A_YEAR_AFTER})(?![\\d/])`,
    // Jan-12-2024, May-06-1931, Jan-12-24, Jan/12/24. Group 3.
    `\\b${MONTH_NAME}([-/.])${DAY}\\3(?:${YEAR}|\\d{2}${NOT_A_YEAR_AFTER})(?!\\d)`,
    // May 6, 1931 / May 6th 1931 / Mar. 2, 2024 / dec 3 2024 / Jan 12-2024: with a year, any case.
    `\\b${MONTH_NAME}(?:[-/]|\\s*)${DAY_WRITTEN}(?![\\w:])${WRITTEN_YEAR}`,
    // may 3rd: an ordinal day, any case.
    `\\b${MONTH_NAME}(?:[-/]|\\s*)${DAY}${ORDINAL}(?![\\w:])`,
    // May 6th / march 2 / Dec 2 / Jan-12: a month written as one.
    `\\b${MONTH_WRITTEN}(?:[-/]|\\s*)${DAY_WRITTEN}(?![\\w:])`,
    // 6 May 1931 / the 6th of May, 1931 / 06-May-1931 / 12.Jan.2024: with a year, any case.
    `${DAY_BEFORE}${DAY_WRITTEN}(?:\\s*[-/.]\\s*|\\s+(?:${OF}\\s+)?)${MONTH_NAME}(?![a-zA-Z])${WRITTEN_YEAR}`,
    // 6-May-24, 12/Jan/24: a two-digit year, joined as the day and month are. Group 4.
    `${DAY_BEFORE}${DAY}([-/.])${MONTH_NAME}(?![a-zA-Z])\\4\\d{2}(?!\\d)${NOT_A_YEAR_AFTER}`,
    // the 6th of may: an ordinal day, any case.
    `${DAY_BEFORE}${DAY}${ORDINAL}(?:[-/.]|\\s+(?:${OF}\\s+)?)${MONTH_NAME}(?![a-zA-Z])`,
    // 6 Dec / 6th of June / 6 May / 06-Jan: a month written as one ("a score of 5 may ..." stays).
    `${DAY_BEFORE}${DAY_WRITTEN}(?:[-/.]|\\s+(?:${OF}\\s+)?)${MONTH_WRITTEN}(?![a-zA-Z])`,
    // May 1931, March of 2024, May-1931: the month is an element of the date too.
    `\\b${MONTH_NAME}(?:,?\\s+${OF})?${WRITTEN_YEAR}`,
  ].join("|"),
  "g",
);
/**
 * Text without a month's name or three numbers joined by - / . holds no date: most notes skip the
 * date patterns (measured: they made scrubbing a note with numbers ~30% slower).
 */
const MAYBE_DATE = /\d[-/.]\d{1,2}[-/.]\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec/i;

const US_STATE_CODES = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA PR RI SC SD TN TX UT VT VA WA WV WI WY".split(" ");
const US_STATE_NAMES = [
  "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware", "district of columbia", "florida", "georgia", "hawaii", "idaho", "illinois",
  "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
  "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "puerto rico", "rhode island",
  "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming",
].map((name) => name.replace(" ", "\\s+"));

const GENERIC_PATTERNS: RegExp[] = [
  // URLs and e-mail addresses first: they contain digits the number patterns would split.
  /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi,
  EMAIL_PATTERN,
  // IPv4 and IPv6.
  /\b(?:\d{1,3}\.){3}\d{1,3}\b/g,
  /\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b/gi,
  // SSN.
  /\b\d{3}[\s-]\d{2}[\s-]\d{4}\b/g,
  PHONE_PATTERN,
  // Labelled ids: "MRN: A12345", "Medicaid #99-1234", "member id X123", "client ID 7781-22",
  // "subscriber no. H44". The value holds a digit ("member id card" stays). One run of spaces
  // before the colon and one after it: two optional runs side by side split a long blank run every way.
  /\b(?:MRN|medical record(?: number| no\.?)?|(?:medicaid|medicare|member|subscriber|policy|beneficiary)(?:\s?(?:id|number|num|no\.?|#))?|(?:insurance|patient|client|account|acct|case|chart|group|license|licence|passport)\s?(?:id|number|num|no\.?|#)|id|SSN|social security(?: number)?)\s*(?:[:#]\s*)?(?=[A-Z0-9-]{0,40}\d)[A-Z0-9][A-Z0-9-]{2,40}/gi,
  // ZIP+4 anywhere; a five-digit ZIP labelled as one or written after a state ("Evanston, IL 60201",
  // "Illinois 60201", "zip: 60201"). State abbreviations count in capitals only ("in 60201" stays).
  /\b\d{5}-\d{4}\b/g,
  /\b(?:zip|zip\s?code|postal\s?code|postcode)\s*[:#]?\s*\d{5}(?:[\s-]?\d{4})?\b/gi,
  new RegExp(`\\b(?:${US_STATE_CODES.join("|")})\\.?,?\\s{1,3}\\d{5}(?:[\\s-]?\\d{4})?\\b`, "g"),
  new RegExp(`\\b(?:${US_STATE_NAMES.join("|")}),?\\s{1,3}\\d{5}(?:[\\s-]?\\d{4})?\\b`, "gi"),
  // Any other run of 7 or more digits is treated as an id.
  /\b\d{7,}\b/g,
];

/** Text with none of these cannot match a generic pattern: most free text skips them all. */
const MAYBE_GENERIC = /[\d@:]|www\./;

export type TTextScrubber = (text: string) => string;

/** The lower-case token a phrase's every match must contain (null: a phrase of suffixes and designators alone, which has none). */
function probeOf(phrase: string): string | null {
  const tokens = wordTokens(phrase).filter((token) => !isAddressWord(token));
  if (!tokens.length) return null;

  return tokens.reduce((longest, token) => (token.length > longest.length ? token : longest));
}

type TOwnMatchers = { phrases: TPhraseMatcher; ownPattern: RegExp | null };

/**
 * Compiled matchers of recently scrubbed identities, shared by every scrubber of the process. A
 * scrubber kept per patient used to keep its own once compiled (~10 KB of heap each, measured on
 * the bench's patients): nearly every text with a digit hits a probe (a phone's or id's last digit),
 * so an export's cached scrubbers grew with its patients (10,000: ~100 MB). Bounded instead, and
 * rebuilt from the packed identity on a miss (~0.1 ms); the output is the same either way.
 */
export const MAX_COMPILED_MATCHERS = 500;
const compiledMatchers = new Map<string, TOwnMatchers>();

/** The matchers of a packed identity, least recently used evicted first. */
function matchersOf(packed: string): TOwnMatchers {
  let matchers = compiledMatchers.get(packed);
  if (matchers) {
    compiledMatchers.delete(packed);
  } else {
    const unpacked = JSON.parse(packed) as TPatientIdentity;
    matchers = { phrases: createPhraseMatcher(phrasesOf(unpacked)), ownPattern: ownIdentifierPattern(unpacked) };
    if (compiledMatchers.size >= MAX_COMPILED_MATCHERS) compiledMatchers.delete(compiledMatchers.keys().next().value!);
  }
  compiledMatchers.set(packed, matchers);

  return matchers;
}

/** How many identities have compiled matchers held now (bounded by MAX_COMPILED_MATCHERS). */
export function compiledMatcherCount(): number {
  return compiledMatchers.size;
}

/** Builds the scrubber for one patient (or for no known patient: the generic patterns only). */
export function createTextScrubber(identity: TPatientIdentity | null): TTextScrubber {
  const { textProbes, digitProbes } = identity ? probesOf(identity) : NO_PROBES;
  // An exporter keeps a scrubber per patient cached (tens of thousands at once), and most patients'
  // text never contains any of their identifiers: the identity is kept as one JSON string (~300
  // bytes against ~1 KB of arrays and strings; measured 20,000 patients: -12 MB of heap), and its
  // compiled matchers live in the shared bounded cache above, keyed by that string.
  // The returned function must not close over `identity` itself, or the object would be retained.
  const packed = identity ? JSON.stringify(identity) : null;

  return (text: string) => {
    if (!text) return text;
    let result = text;
    if (packed !== null) {
      const lower = text.toLowerCase();
      if (textProbes.some((probe) => lower.includes(probe)) || (digitProbes.length > 0 && hasDigits(text, digitProbes))) {
        const matchers = matchersOf(packed);
        // Names and addresses first, by tokens, then the patient's numbers and e-mail addresses.
        result = replaceRanges(result, matchers.phrases.find(result), TEXT_REDACTED);
        if (matchers.ownPattern) result = result.replace(matchers.ownPattern, TEXT_REDACTED);
      }
    }
    if (!MAYBE_GENERIC.test(result)) return result;
    for (const pattern of GENERIC_PATTERNS) result = result.replace(pattern, TEXT_REDACTED);
    if (MAYBE_DATE.test(result)) result = result.replace(DATE_PATTERN, TEXT_REDACTED);

    return result;
  };
}

/**
 * Cheap substring probes (lower case) that every own-identifier match must contain; when none is
 * present the matchers are skipped. Phones and numeric ids are probed by their last digits in the
 * text's digits alone (hasDigits below).
 */
function probesOf(identity: TPatientIdentity): { textProbes: string[]; digitProbes: string[] } {
  const probes = new Set<string>();
  const digitProbes = new Set<string>();
  for (const value of [...identity.ids, ...identity.emails]) probes.add(value.toLowerCase());
  for (const id of identity.ids) if (digitsOnly(id).length >= MIN_ID_DIGITS) digitProbes.add(digitsOnly(id).slice(-DIGIT_PROBE_LENGTH));
  for (const phrase of phrasesOf(identity)) probes.add(probeOf(phrase) ?? "");
  for (const phone of identity.phones) digitProbes.add(phone.replace(/\D/g, "").slice(-DIGIT_PROBE_LENGTH));
  if (identity.birthDate) probes.add(identity.birthDate.toLowerCase());
  // A compact six-digit birth date holds the month and day together, in one order or the other.
  const birth = birthParts(identity.birthDate);
  if (birth) probes.add(`${birth.month}${birth.day}`).add(`${birth.day}${birth.month}`);
  digitProbes.delete("");

  // A phrase without a probe ("Way" alone) makes every text a candidate.
  return { textProbes: probes.has("") ? [""] : [...probes], digitProbes: [...digitProbes] };
}

const NO_PROBES = { textProbes: [] as string[], digitProbes: [] as string[] };

/**
 * Phones and numeric ids match with separators between any two digits ("312 201-33 44"), so their
 * probe is the last four digits, looked for in the text's digits alone: every match contains them.
 * (A probe of the last digit alone made nearly every text with a number a candidate, compiling the
 * patient's matchers for it.) The text's digits run together across numbers: at worst a candidate more.
 */
const DIGIT_PROBE_LENGTH = 4;

function hasDigits(text: string, digitProbes: string[]) {
  if (!/\d/.test(text)) return false;
  const digits = text.replace(/\D/g, "");

  return digitProbes.some((probe) => digits.includes(probe));
}

/** "1962-03-09" -> { year: "1962", month: "03", day: "09" }; anything else -> null. */
function birthParts(birthDate: string | null) {
  const match = birthDate ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate.trim()) : null;

  return match ? { year: match[1]!, month: match[2]!, day: match[3]! } : null;
}

/** A numeric id is also searched by its digits alone, written with any separators, from this many digits. */
const MIN_ID_DIGITS = 6;

/** Every phrase the token matcher looks for: names, addresses, cities, ZIP codes (a ZIP+4 also as its two numbers), ids. */
function phrasesOf(identity: TPatientIdentity): string[] {
  const zips = identity.zips.flatMap((zip) => (zip.length === 9 ? [zip, `${zip.slice(0, 5)} ${zip.slice(5)}`] : [zip]));

  // Ids too: "PRG-5511-8810" written "prg_5511_8810" or "PRG 5511 8810" is the same tokens.
  return [...identity.names, ...identity.fullNames, ...identity.streets, ...identity.cities, ...zips, ...identity.ids.filter((id) => id.length >= 3)].filter((phrase) => phrase.length >= 2);
}

/** One regex for the patient's ids, e-mail addresses, phones and birth date (null: none is long enough to match). */
function ownIdentifierPattern(identity: TPatientIdentity): RegExp | null {
  const own: string[] = [];
  // Longest first: an id that contains another is taken whole.
  const ids = [...identity.ids].filter((id) => id.length >= 3).sort((a, b) => b.length - a.length);
  for (const id of ids) own.push(`(?<![A-Za-z0-9])${escapeRegExp(id)}(?![A-Za-z0-9])`);
  for (const email of identity.emails) own.push(escapeRegExp(email));
  for (const phone of identity.phones) {
    const pattern = digitsPattern(phone);
    if (pattern) own.push(pattern);
    // After the whole number, which the alternation tries first at the same position.
    const local = localDigitsPattern(phone);
    if (local) own.push(local);
  }
  // An id's digits however grouped: "1234 5678 9012", "MH-123-456-789" (its letters stay: they identify no one).
  for (const id of ids) {
    const digits = digitsOnly(id);
    if (digits.length >= MIN_ID_DIGITS) own.push(`(?<!\\d)${[...digits].join("[\\s()./_-]{0,3}")}(?!\\d)`);
  }
  if (identity.birthDate) own.push(escapeRegExp(identity.birthDate));
  // The birth date written as six digits (MMDDYY, DDMMYY, YYMMDD): the generic patterns take
  // every date with separators or a month's name, and runs of 7+ digits, but not these.
  const birth = birthParts(identity.birthDate);
  if (birth) {
    const short = birth.year.slice(2);
    for (const digits of new Set([`${birth.month}${birth.day}${short}`, `${birth.day}${birth.month}${short}`, `${short}${birth.month}${birth.day}`])) own.push(`(?<!\\d)${digits}(?!\\d)`);
  }

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
