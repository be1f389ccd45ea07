// Low-level normalisation of identifiers as people write them, shared by the scrubber (which
// removes a patient's identifiers from free text) and the release scan (which refuses a file that
// still holds one). Only these spelling rules are shared: each side derives its own terms from the
// stored resources, so a mistake in one side's model of a patient is not repeated by the other.

/**
 * Street suffixes and unit designators -> one canonical spelling (USPS Publication 28 common forms).
 * "88 Juniper Hollow Road" and "88 juniper hollow rd." are the same tokens once each word is mapped.
 */
const CANONICAL_WORDS: Record<string, readonly string[]> = {
  st: ["street", "str", "st"],
  rd: ["road", "rd"],
  ave: ["avenue", "av", "ave", "aven", "avn"],
  dr: ["drive", "drv", "dr"],
  ln: ["lane", "ln"],
  blvd: ["boulevard", "boul", "blv", "blvd"],
  ct: ["court", "crt", "ct"],
  pl: ["place", "pl"],
  hwy: ["highway", "hiway", "hwy"],
  way: ["way", "wy"],
  ter: ["terrace", "terr", "ter"],
  cir: ["circle", "circ", "cir"],
  pkwy: ["parkway", "pkway", "pky", "pkwy"],
  sq: ["square", "sqr", "sq"],
  trl: ["trail", "trl"],
  /** Unit designators: "Apt 10B", "apartment 10b", "Unit 10B", "Suite 10B", "#10B" (see UNIT_SIGN). */
  unit: ["apartment", "apt", "unit", "suite", "ste"],
};

/** Every spelling -> its canonical word. */
export const WORD_SPELLINGS: ReadonlyMap<string, string> = new Map(Object.entries(CANONICAL_WORDS).flatMap(([canonical, spellings]) => spellings.map((spelling) => [spelling, canonical] as const)));

/** The canonical word a unit designator maps to; "#" before a unit number counts as one too. */
export const UNIT_WORD = "unit";
export const UNIT_SIGN = "#";

/** The canonical spelling of one lower-case word (itself when it is no suffix or designator). */
export const canonicalWord = (word: string) => WORD_SPELLINGS.get(word) ?? word;

/** Whether a lower-case word is a street suffix or unit designator in any spelling. */
export const isAddressWord = (word: string) => WORD_SPELLINGS.has(word);

/**
 * One word token: a run of letters or a run of digits. Anything else (space, punctuation, hyphens)
 * separates, and so does the change from digits to letters: "10-B", "10 b" and "10B" are the same
 * two tokens, as are "MRN-448812" and "MRN448812". "#" is a token of its own (UNIT_SIGN).
 */
export const WORD_TOKEN = /#|\p{L}+|\p{N}+/gu;

/** A text's word tokens, lower-cased; "#" reads as the unit designator, so "#10B" reads "unit 10 b". */
export function wordTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD_TOKEN)) tokens.push(match[0] === UNIT_SIGN ? UNIT_WORD : match[0]);

  return tokens;
}

/** wordTokens with every suffix and designator spelled canonically: the comparable form of an address. */
export const normalizedTokens = (text: string) => wordTokens(text).map(canonicalWord);

/** The digits of a value alone ("(312) 555-0187" -> "3125550187"). */
export const digitsOnly = (value: string) => value.replace(/\D/g, "");

/**
 * A US phone number's ten digits (a leading country code 1 dropped), or null for too few digits to
 * be a number anyone dials.
 */
export function phoneDigits(value: string): string | null {
  let digits = digitsOnly(value);
  if (digits.length === 11 && digits.startsWith("1")) digits = digits.slice(1);

  return digits.length >= 7 ? digits : null;
}

/** "60201-1234" -> { zip5: "60201", zip9: "602011234" }; a value that is no US ZIP -> null. */
export function zipParts(postalCode: string): { zip5: string; zip9: string | null } | null {
  const match = /^\s*(\d{5})(?:[\s-]?(\d{4}))?\s*$/.exec(postalCode);
  if (!match) return null;

  return { zip5: match[1]!, zip9: match[2] ? `${match[1]}${match[2]}` : null };
}

/** A FHIR Json column as stored: an object (PostgreSQL through pg, Prisma) or its JSON text (SQLite through the driver). */
export function parseStoredJson(value: unknown): Record<string, unknown> | null {
  if (typeof value === "string") {
    try {
      const parsed: unknown = JSON.parse(value);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
