// The release scan: before a file is offered, every byte of it is searched for the identifying
// values of every patient in it (scanner.ts). The terms come from the stored Patient rows and
// resources (scan-terms.ts), derived apart from the scrubber's identity.
import { isCommonWord } from "@/lib/anonymize/common-words";
import { FingerprintList, fnv1a, Uint32Set } from "@/lib/anonymize/fingerprint-table";
import { canonicalWord, UNIT_SIGN, UNIT_WORD, WORD_SPELLINGS } from "@/lib/anonymize/normalize";
import { ReleaseScanError, SCAN_KINDS, type TScanKind } from "@/lib/anonymize/release-scan/scan-error";
import { idDigitsOf, scanTermsOf, type TScanPatientRow } from "@/lib/anonymize/release-scan/scan-terms";
import { patternCountOf, scannerFromTables, scannerTablesOf, type TReleaseScanner, type TScannerTables, type TScanValues } from "@/lib/anonymize/release-scan/scanner";
import { hexPrefix, isAsciiText, MAX_DIGITS, MAX_PHRASE_WORDS, trimJoiners, words } from "@/lib/anonymize/release-scan/tokenizer";
import { birthDateDigitForms } from "@/lib/anonymize/release-scan/written-dates";

export { patternCountOf, ReleaseScanError, scannerFromTables, type TScanKind, type TReleaseScanner, type TScannerTables, type TScanPatientRow };

/** One patient to scan for: the stored row (with `raw`) and the pseudonym that names them in a refusal. */
export type TScanSubject = { row: TScanPatientRow; pseudonym: string };

/** "Apt 10B" -> "10b": the unit number of a unit line (a designator and one word), or null. */
function unitNumberOf(street: string): string | null {
  const parts = words(street);

  return parts.length === 2 && canonicalWord(parts[0]!) === UNIT_WORD ? parts[1]! : null;
}

/** A unit number that is rarely anything else after a "#": letters with digits ("10b"), or three characters or more. */
const isDistinctiveUnit = (unit: string) => (/\d/.test(unit) && /[a-z]/.test(unit)) || unit.length >= 3;

/** Every spelling of each canonical address word, for the word prefilter: "avenue" in a file must reach the phrase lookup as "ave". */
const SPELLINGS_OF = new Map<string, string[]>();
for (const [spelling, canonical] of WORD_SPELLINGS) SPELLINGS_OF.set(canonical, [...(SPELLINGS_OF.get(canonical) ?? []), spelling]);

export function createReleaseScanner(subjects: Iterable<TScanSubject>): TReleaseScanner {
  const builder = releaseScannerBuilder();
  for (const subject of subjects) builder.add(subject);

  return builder.build();
}

/**
 * Builds a scanner one identity at a time, so a caller loading tens of thousands of patients in
 * batches never holds them all: only the scanner's tables and each patient's pseudonym and id stay.
 * A value's hit is one number: patient index * SCAN_KINDS.length + kind index.
 */
export function releaseScannerBuilder(): { add(subject: TScanSubject): void; build(): TReleaseScanner; buildTables(): TScannerTables } {
  const values: TScanValues = {
    patients: [],
    wordValues: new FingerprintList(),
    idValues: new FingerprintList(),
    phraseValues: new FingerprintList(),
    digitValues: new FingerprintList(),
    writtenDateValues: new FingerprintList(),
    hashPrefixes: new FingerprintList(),
    digitLengths: new Set<number>(),
    longestPhrase: 0,
    wordHashes: new Uint32Set(),
    idHashes: new Uint32Set(),
    digitTails: new Uint32Set(),
    phraseLastWords: new Set<string>(),
  };
  const { wordValues, idValues, phraseValues, digitValues, writtenDateValues, hashPrefixes, digitLengths, wordHashes, idHashes, digitTails, phraseLastWords } = values;

  // The prefilters (see scannerFromTables) learn each value as it is added: the tables keep no strings to list later.
  const addWordValue = (word: string, hit: number) => {
    wordValues.add(word, hit);
    if (isAsciiText(word)) wordHashes.add(fnv1a(word));
  };
  /** A name word alone, unless it is an everyday word (common-words.ts: those are searched as part of the full name). */
  const addNameWord = (value: string, hit: number) => {
    const parts = words(value);
    if (parts.length === 1 && parts[0]!.length >= 2 && trimJoiners(value.trim().toLowerCase()) === parts[0]) {
      if (!isCommonWord(parts[0]!)) addWordValue(parts[0]!, hit);
    } else if (parts.length > 1) addToken(value, hit);
  };
  const addToken = (value: string, hit: number) => {
    const token = trimJoiners(value.trim().toLowerCase());
    if (token.length < 3) return;
    // A value with spaces is a phrase of words; one with joiners is an id token.
    if (/\s/.test(token)) {
      // Suffixes and designators in their canonical spelling (the scanner reads the file's words so).
      const phrase = words(token).map(canonicalWord);
      if (phrase.length >= 2 && phrase.length <= MAX_PHRASE_WORDS) {
        phraseValues.add(phrase.join(" "), hit);
        values.longestPhrase = Math.max(values.longestPhrase, phrase.length);
        for (const part of phrase) for (const spelling of SPELLINGS_OF.get(part) ?? [part]) if (isAsciiText(spelling)) wordHashes.add(fnv1a(spelling));
        phraseLastWords.add(phrase[phrase.length - 1]!);
      }
    } else if (words(token).length > 1) {
      idValues.add(token, hit);
      if (isAsciiText(token)) idHashes.add(fnv1a(token));
    } else addWordValue(token, hit);
  };
  /** A phrase stored as given (already lower case, words apart by one space): "# 10b". */
  const addPhrase = (phrase: string, hit: number) => {
    const parts = phrase.split(" ");
    phraseValues.add(phrase, hit);
    values.longestPhrase = Math.max(values.longestPhrase, parts.length);
    for (const part of parts) if (part !== UNIT_SIGN) wordHashes.add(fnv1a(part));
    phraseLastWords.add(parts[parts.length - 1]!);
  };
  const addDigits = (digits: string, hit: number) => {
    if (digits.length < 7 || digits.length > MAX_DIGITS) return;
    digitValues.add(digits, hit);
    digitLengths.add(digits.length);
    digitTails.add(Number(digits.slice(-6)));
  };
  /** A birth date's digits without a zero of its month or day: found only where written as a date (isWrittenAsDate). */
  const addWrittenDate = (digits: string, hit: number) => {
    writtenDateValues.add(digits, hit);
    digitLengths.add(digits.length);
    digitTails.add(Number(digits.slice(-6)));
  };

  // The tables take the lists' entries: a second build, or a patient added after, would scan for nothing.
  let built = false;
  const add = ({ row, pseudonym }: TScanSubject) => {
    if (built) throw new Error("This release scanner is already built; add every patient before building it.");
    const terms = scanTermsOf(row);
    const patient = values.patients.push({ pseudonym, id: row.id }) - 1;
    const hitOf = (kind: TScanKind) => patient * SCAN_KINDS.length + SCAN_KINDS.indexOf(kind);
    for (const name of terms.names) addNameWord(name, hitOf("name"));
    for (const email of terms.emails) addToken(email, hitOf("email address"));
    for (const street of terms.streets) {
      addToken(street, hitOf("street address"));
      // "Apt 10B" is also written "Apt 10-B" / "apt 10 b": the unit's letters apart from its digits.
      const split = street.replace(/(\d)(?=[A-Za-z])|([A-Za-z])(?=\d)/g, "$1$2 ");
      if (split !== street) addToken(split, hitOf("street address"));
      // "#10B" for "Apt 10B", but not "#7" for "Apt 7": "goal #7" in any note would refuse the release.
      const unit = unitNumberOf(street);
      if (unit && isDistinctiveUnit(unit)) for (const form of new Set([unit, unit.replace(/(\d)(?=[a-z])|([a-z])(?=\d)/g, "$1$2 ")])) addPhrase(`${UNIT_SIGN} ${form}`, hitOf("street address"));
    }
    for (const phone of terms.phones) addDigits(phone, hitOf("phone number"));
    for (const zip of terms.zipDigits) addDigits(zip, hitOf("street address"));
    if (terms.birthDate) {
      const forms = birthDateDigitForms(terms.birthDate);
      for (const digits of forms.padded) addDigits(digits, hitOf("birth date"));
      for (const digits of forms.unpadded) addWrittenDate(digits, hitOf("birth date"));
    }
    for (const id of terms.ids) {
      if (/^\d{3}-?\d{2}-?\d{4}$/.test(id)) addDigits(id.replace(/\D/g, ""), hitOf("SSN"));
      else {
        const digits = idDigitsOf(id);
        if (digits) addDigits(digits, hitOf("identifier"));
      }
      if (id.length >= 4) addToken(id, hitOf("identifier"));
      for (const algorithm of ["md5", "sha1", "sha256"]) hashPrefixes.add(hexPrefix(algorithm, id), hitOf("hash of an identifier"));
    }
  };

  /** The scanner's tables, for a scanner in this thread or others (scannerFromTables). */
  const buildTables = () => {
    if (built) throw new Error("This release scanner is already built.");
    built = true;

    return scannerTablesOf(values);
  };

  return { add, build: () => scannerFromTables(buildTables()), buildTables };
}
