// The release scan: before a file is offered, every byte of it is searched for the identifying
// values of every patient in it. The stream is tokenized once, and each token is looked up in
// hash tables of every patient's values, so the cost is linear in the file size and memory is a
// few typed-array slots per value (fingerprint-table.ts). All tokenizer state carries across
// chunks: a value split between two chunks is still found.
//
//   - words ([A-Za-z0-9] and any non-ASCII byte), case-folded: names, single-word ids (a name that is
//     an everyday word, "Will", "Major", is searched only within the full name: common-words.ts);
//   - id tokens (words joined by . _ @ + -): emails, "MRN-448812", "Ashcombe-Tate";
//   - the last few words joined by one space: street addresses, full names;
//   - the digits of numbers, skipping the separators numbers are written with (space - ( ) . + /)
//     and restarting at anything else: phones in any format, SSNs, birth dates (YYYYMMDD, MMDDYYYY).
//     A birth date written without its zeros (5/6/1931, 1931-5-6) is 6 or 7 digits, as short as
//     many a number: it counts only where written as a date, which is checked on the bytes around
//     it when (rarely) its digits match, never in the per-byte loop. Written months ("May 6,
//     1931") are not searched: every day and year number would then pass the word prefilter.
//     Digits glued to a lower-case hex letter on either side of the value ("ab19700304cd",
//     "19700304f") are part of a hex string, not a number: checksums, hashes and UUIDs hold such
//     runs by chance, and a million of them in one export would refuse it every time for some
//     patient's birth date. Any other letter does not hide a number ("DOB19700304", "tel3125550000");
//   - runs of 32, 40 or 64 hex digits: plain MD5 / SHA-1 / SHA-256 of a raw id.
import { hash } from "node:crypto";
import type { Readable } from "node:stream";

import { isCommonWord } from "@/lib/anonymize/common-words";
import { FingerprintList, FingerprintTable, FNV_OFFSET, FNV_PRIME, fnv1a, lowerAsciiByte, mixHashOfAsciiLowered, Uint32Set } from "@/lib/anonymize/fingerprint-table";
import type { TPatientIdentity } from "@/lib/anonymize/patient-identity";

export type TScanKind = "name" | "phone number" | "email address" | "street address" | "birth date" | "identifier" | "hash of an identifier" | "SSN";

export class ReleaseScanError extends Error {
  readonly patientPseudonym: string;
  /** The patient's internal id, for the audit record an administrator reads; never in the message (raw ids are identifiers too). */
  readonly patientId: string;
  readonly kind: TScanKind;
  readonly source: string;

  constructor(patient: { pseudonym: string; id: string }, kind: TScanKind, source: string) {
    // Never the value itself: the message is stored on the job and shown to the requester.
    super(
      `Release scan refused the file: ${source} contains a ${kind} of patient ${patient.pseudonym}. Nothing was offered. ` +
        "An administrator can open that patient from this export's failure in the audit log and find where the value comes from.",
    );
    this.name = "ReleaseScanError";
    this.patientPseudonym = patient.pseudonym;
    this.patientId = patient.id;
    this.kind = kind;
    this.source = source;
  }
}

const SCAN_KINDS: readonly TScanKind[] = ["name", "phone number", "email address", "street address", "birth date", "identifier", "hash of an identifier", "SSN"];

const MAX_TOKEN = 256;
const MAX_PHRASE_WORDS = 8;
const HASH_PREFIX = 20;
const HEX_LENGTHS = new Set([32, 40, 64]);
/** The shortest digit value: a birth date such as 5/6/1931. */
const MIN_DIGITS = 6;

const isAsciiWord = (byte: number) => (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90);
const isWordByte = (byte: number) => isAsciiWord(byte) || byte >= 0x80;
/** . _ @ + - join words into one id token. */
const isIdJoiner = (byte: number) => byte === 46 || byte === 95 || byte === 64 || byte === 43 || byte === 45;
const isDigit = (byte: number) => byte >= 48 && byte <= 57;
const isHex = (byte: number) => isDigit(byte) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70);
/** Bytes a number may be written with between its digits: space - ( ) . + / */
const isNumberSeparator = (byte: number) => byte === 32 || byte === 45 || byte === 40 || byte === 41 || byte === 46 || byte === 43 || byte === 47;

/** The predicates above as one table lookup per byte (the scan's inner loop). */
const WORD = 1;
const JOINER = 2;
const DIGIT = 4;
const HEX = 8;
const NUMBER_SEPARATOR = 16;
const HEX_LETTER = 32;
/** a-f: hex strings are written in lower case (sha256sum, UUIDs, our manifest's checksums). */
const isLowerHexLetter = (byte: number) => byte >= 97 && byte <= 102;
const BYTE_CLASS = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  BYTE_CLASS[byte] =
    (isWordByte(byte) ? WORD : 0) | (isIdJoiner(byte) ? JOINER : 0) | (isDigit(byte) ? DIGIT : 0) | (isHex(byte) ? HEX : 0) | (isNumberSeparator(byte) ? NUMBER_SEPARATOR : 0) | (isLowerHexLetter(byte) ? HEX_LETTER : 0);
}

/** Whether the first text.length bytes, A-Z read as a-z, are the ASCII text (already lower case). */
function sameAsciiLowered(bytes: Uint8Array, text: string) {
  for (let index = 0; index < text.length; index++) if (lowerAsciiByte(bytes[index]!) !== text.charCodeAt(index)) return false;
  return true;
}
const WORD_CACHE_SIZE = 4096;

// The scanner computes FNV-1a over a word's bytes as it reads them: for ASCII, the fnv1a of the string.
/** A token that matches nothing (a word the prefilter ruled out). */
const NO_MATCH = "\u0000";
const isAsciiText = (value: string) => /^[\x00-\x7f]*$/.test(value);
const words = (value: string) => value.toLowerCase().match(/[a-z0-9\u0080-\uffff]+/g) ?? [];
const trimJoiners = (value: string) => value.replace(/^[._@+-]+|[._@+-]+$/g, "");
/** The first HASH_PREFIX hex digits (one-shot hash: a few hundred thousand of them per export). */
const hexPrefix = (algorithm: string, value: string) => hash(algorithm, value, "hex").slice(0, HASH_PREFIX);

export type TReleaseScanner = {
  /** Scans one stream (a file or a ZIP entry); `source` names it in the error. Throws ReleaseScanError on a hit. */
  scanStream(stream: Readable | AsyncIterable<Buffer | string>, source: string): Promise<void>;
  /** Scans one whole buffer or string. */
  scanBuffer(data: Buffer | string, source: string): void;
  /** A push-style matcher for one stream, for callers that already hold the chunks. */
  open(source: string): { write(chunk: Buffer | string): void; end(): void };
  readonly patternCount: number;
};

export function createReleaseScanner(identities: Iterable<TPatientIdentity>): TReleaseScanner {
  const builder = releaseScannerBuilder();
  for (const identity of identities) builder.add(identity);

  return builder.build();
}

/**
 * Builds a scanner one identity at a time, so a caller loading tens of thousands of patients in
 * batches never holds them all: only the scanner's tables and each patient's pseudonym and id stay.
 * A value's hit is one number: patient index * SCAN_KINDS.length + kind index.
 */
export function releaseScannerBuilder(): { add(identity: TPatientIdentity): void; build(): TReleaseScanner } {
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

  // The prefilters (see buildScanner) learn each value as it is added: the tables keep no strings to list later.
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
      const phrase = words(token);
      if (phrase.length >= 2 && phrase.length <= MAX_PHRASE_WORDS) {
        phraseValues.add(phrase.join(" "), hit);
        values.longestPhrase = Math.max(values.longestPhrase, phrase.length);
        for (const part of phrase) if (isAsciiText(part)) wordHashes.add(fnv1a(part));
        phraseLastWords.add(phrase[phrase.length - 1]!);
      }
    } else if (words(token).length > 1) {
      idValues.add(token, hit);
      if (isAsciiText(token)) idHashes.add(fnv1a(token));
    } else addWordValue(token, hit);
  };
  const addDigits = (digits: string, hit: number) => {
    if (digits.length < 7 || digits.length > 11) return;
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
  const add = (identity: TPatientIdentity) => {
    if (built) throw new Error("This release scanner is already built; add every patient before building it.");
    const patient = values.patients.push({ pseudonym: identity.pseudonym, id: identity.id }) - 1;
    const hitOf = (kind: TScanKind) => patient * SCAN_KINDS.length + SCAN_KINDS.indexOf(kind);
    for (const name of [...identity.names, ...identity.fullNames]) addNameWord(name, hitOf("name"));
    for (const email of identity.emails) addToken(email, hitOf("email address"));
    for (const street of identity.streets) addToken(street, hitOf("street address"));
    for (const phone of identity.phones) {
      let digits = phone.replace(/\D/g, "");
      if (digits.length === 11 && digits.startsWith("1")) digits = digits.slice(1);
      addDigits(digits, hitOf("phone number"));
    }
    const birth = identity.birthDate ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(identity.birthDate) : null;
    if (birth) {
      const [, year, month, day] = birth;
      addDigits(`${year}${month}${day}`, hitOf("birth date"));
      addDigits(`${month}${day}${year}`, hitOf("birth date"));
      // 5/6/1931, 5/06/1931, 05/6/1931 and 1931-5-6 (the padded forms are above, found however written).
      const months = new Set([month!, String(Number(month))]);
      const days = new Set([day!, String(Number(day))]);
      for (const monthForm of months) {
        for (const dayForm of days) {
          if (monthForm === month && dayForm === day) continue;
          addWrittenDate(`${monthForm}${dayForm}${year}`, hitOf("birth date"));
          addWrittenDate(`${year}${monthForm}${dayForm}`, hitOf("birth date"));
        }
      }
    }
    for (const id of identity.ids) {
      const trimmed = id.trim();
      if (/^\d{3}-?\d{2}-?\d{4}$/.test(trimmed)) addDigits(trimmed.replace(/\D/g, ""), hitOf("SSN"));
      if (trimmed.length >= 4) addToken(trimmed, hitOf("identifier"));
      for (const algorithm of ["md5", "sha1", "sha256"]) hashPrefixes.add(hexPrefix(algorithm, trimmed), hitOf("hash of an identifier"));
    }
  };

  const build = () => {
    if (built) throw new Error("This release scanner is already built.");
    built = true;

    return buildScanner(values);
  };

  return { add, build };
}

type TScanValues = {
  /** By patient index. */
  patients: { pseudonym: string; id: string }[];
  wordValues: FingerprintList;
  idValues: FingerprintList;
  phraseValues: FingerprintList;
  digitValues: FingerprintList;
  /** Birth dates written without zeros, by their digits (see isWrittenAsDate). */
  writtenDateValues: FingerprintList;
  hashPrefixes: FingerprintList;
  digitLengths: Set<number>;
  longestPhrase: number;
  wordHashes: Uint32Set;
  idHashes: Uint32Set;
  digitTails: Uint32Set;
  phraseLastWords: Set<string>;
};

/**
 * Whether the digits ending at bytes[end] are written as a date: a 4-digit year and a month and
 * day of 1 or 2 digits, in M/D/Y or Y/M/D order, each group apart from the next by separators, and
 * no digit right before or after ("15/6/1931" and "5/6/19312" are other numbers). A date that
 * began in an earlier chunk cannot be seen whole here: it counts as written (fail closed).
 */
function isWrittenAsDate(bytes: Uint8Array, end: number, digitCount: number): boolean {
  if (end + 1 < bytes.length && isDigit(bytes[end + 1]!)) return false;
  const groups: number[] = [];
  let group = 0;
  let remaining = digitCount;
  let index = end;
  // Between the run's digits there are only separators: anything else restarts the run.
  for (; remaining > 0; index--) {
    if (index < 0) return true;
    if (isDigit(bytes[index]!)) {
      group++;
      remaining--;
    } else if (group > 0) {
      groups.unshift(group);
      group = 0;
    }
  }
  groups.unshift(group);
  if (index >= 0 && isDigit(bytes[index]!)) return false;
  if (groups.length !== 3) return false;
  const [first, second, third] = groups as [number, number, number];

  return (third === 4 && first <= 2 && second <= 2) || (first === 4 && second <= 2 && third <= 2);
}

function buildScanner(values: TScanValues): TReleaseScanner {
  // Prefilters, so most tokens are never decoded to strings: an ASCII word is only looked up
  // when its hash (computed while scanning) is the hash of some value's word or phrase word; an
  // ASCII id token (trailing joiners trimmed) only when it has a joiner inside and its hash is
  // that of some id value; phrases only end on the last word of some phrase; digit runs only
  // when their last six digits end some value. Exact: a skipped token could not have matched.
  const { patients, digitLengths, longestPhrase, wordHashes, idHashes, digitTails, phraseLastWords } = values;
  const wordValues = new FingerprintTable(values.wordValues);
  const idValues = new FingerprintTable(values.idValues);
  const phraseValues = new FingerprintTable(values.phraseValues);
  const digitValues = new FingerprintTable(values.digitValues);
  const writtenDateValues = new FingerprintTable(values.writtenDateValues);
  const hashPrefixes = new FingerprintTable(values.hashPrefixes);

  function open(source: string) {
    // The tokenizer's state between chunks. write() works on local copies and stores them back
    // when the chunk is done (variables the helpers close over live in a heap context).
    const word = new Uint8Array(MAX_TOKEN);
    let wordLength = 0;
    let wordHash = FNV_OFFSET;
    let wordAscii = true;
    const idToken = new Uint8Array(MAX_TOKEN);
    let idLength = 0;
    let idJoiners = 0;
    let idAscii = true;
    /** The token's hash up to its last word byte, and whether a joiner comes before that byte. */
    let idHash = FNV_OFFSET;
    let idTrimmedHash = FNV_OFFSET;
    let idInnerJoiner = false;
    const recentWords: string[] = [];
    let digitValue = 0;
    let digitCount = 0;
    /** Digits in the current run (uncapped), and whether its first digit came right after a hex letter. */
    let runDigits = 0;
    let runGluedBefore = false;
    let previousClass = 0;
    /** A value whose last digit was the previous byte: a hit unless a hex letter follows it. */
    let pendingDigitHit = -1;
    const hexBytes = new Uint8Array(64);
    let hexLength = 0;
    let hexOverflow = false;

    const check = (found: number) => {
      if (found < 0) return;
      throw new ReleaseScanError(patients[Math.floor(found / SCAN_KINDS.length)]!, SCAN_KINDS[found % SCAN_KINDS.length]!, source);
    };
    const decode = (bytes: Uint8Array, length: number) => Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(length, MAX_TOKEN)).toString("utf8").toLowerCase();
    /** Decoded ASCII words by fnv1a: a hit is taken only if the text is the same, byte for byte. */
    const wordCache = new Map<number, string>();
    const asciiWord = (length: number, hash: number) => {
      const cached = wordCache.get(hash);
      if (cached !== undefined && cached.length === length && sameAsciiLowered(word, cached)) return cached;
      const text = decode(word, length);
      if (wordCache.size >= WORD_CACHE_SIZE) wordCache.clear();
      wordCache.set(hash, text);
      return text;
    };

    /** A word ended: its bytes are in `word`. */
    function endWord(length: number, hash: number, ascii: boolean) {
      let token: string;
      if (length > MAX_TOKEN) token = "";
      else if (!ascii) {
        token = decode(word, length);
        check(wordValues.get(token));
      } else if (!wordHashes.has(hash)) token = NO_MATCH;
      else {
        // An ASCII word is looked up by the fingerprint of its bytes (hash is its fnv1a); the
        // string is made only for the phrases, and then from a cache (the same few words recur).
        check(wordValues.getByFingerprint(hash, mixHashOfAsciiLowered(word, length)));
        token = longestPhrase > 1 ? asciiWord(length, hash) : "";
      }
      if (longestPhrase > 1) {
        recentWords.push(token);
        if (recentWords.length > longestPhrase) recentWords.shift();
        if (!phraseLastWords.has(token)) return;
        for (let count = 2; count <= recentWords.length; count++) check(phraseValues.get(recentWords.slice(recentWords.length - count).join(" ")));
      }
    }
    /** An id token ended: its bytes are in `idToken`. */
    function endIdToken(length: number, joiners: number, ascii: boolean, trimmedHash: number, innerJoiner: boolean) {
      const token = length <= MAX_TOKEN && joiners > 0 ? (ascii && (!innerJoiner || !idHashes.has(trimmedHash)) ? "" : trimJoiners(decode(idToken, length))) : "";
      if (token) check(idValues.get(token));
    }
    /** A hex run ended: its first bytes are in `hexBytes`. */
    function endHexRun(length: number, overflow: boolean) {
      if (!overflow && HEX_LENGTHS.has(length)) {
        check(hashPrefixes.get(Buffer.from(hexBytes.buffer, 0, HASH_PREFIX).toString("latin1")));
      }
    }

    function write(chunk: Buffer | string) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      let wLength = wordLength;
      let wHash = wordHash;
      let wAscii = wordAscii;
      let iLength = idLength;
      let iJoiners = idJoiners;
      let iAscii = idAscii;
      let iHash = idHash;
      let iTrimmedHash = idTrimmedHash;
      let iInnerJoiner = idInnerJoiner;
      let dValue = digitValue;
      let dCount = digitCount;
      let dRun = runDigits;
      let dGluedBefore = runGluedBefore;
      let previous = previousClass;
      let pending = pendingDigitHit;
      let hLength = hexLength;
      let hOverflow = hexOverflow;
      for (let index = 0; index < bytes.length; index++) {
        const byte = bytes[index]!;
        const kind = BYTE_CLASS[byte]!;
        if (pending >= 0) {
          if (!(kind & HEX_LETTER)) check(pending);
          pending = -1;
        }
        if (kind & WORD) {
          if (wLength < MAX_TOKEN) word[wLength] = byte;
          wLength++;
          // lowerAsciiByte, written out: this is the loop over every byte, and the call measured ~15% slower here.
          const folded = byte >= 65 && byte <= 90 ? byte | 0x20 : byte;
          if (byte >= 0x80) {
            wAscii = false;
            iAscii = false;
          }
          wHash = Math.imul(wHash ^ folded, FNV_PRIME) >>> 0;
          if (iLength < MAX_TOKEN) idToken[iLength] = byte;
          iLength++;
          iHash = Math.imul(iHash ^ folded, FNV_PRIME) >>> 0;
          iTrimmedHash = iHash;
          if (iJoiners > 0) iInnerJoiner = true;
        } else {
          if (wLength) {
            endWord(wLength, wHash, wAscii);
            wLength = 0;
            wHash = FNV_OFFSET;
            wAscii = true;
          }
          if (kind & JOINER && iLength > 0) {
            if (iLength < MAX_TOKEN) idToken[iLength] = byte;
            iLength++;
            iJoiners++;
            iHash = Math.imul(iHash ^ byte, FNV_PRIME) >>> 0;
          } else if (iLength) {
            endIdToken(iLength, iJoiners, iAscii, iTrimmedHash, iInnerJoiner);
            iLength = 0;
            iJoiners = 0;
            iAscii = true;
            iHash = FNV_OFFSET;
            iTrimmedHash = FNV_OFFSET;
            iInnerJoiner = false;
          }
        }

        if (kind & HEX) {
          if (hLength < 64) hexBytes[hLength++] = byte | 0x20;
          else hOverflow = true;
        } else if (hLength) {
          if (hLength >= 32) endHexRun(hLength, hOverflow);
          hLength = 0;
          hOverflow = false;
        }

        if (kind & DIGIT) {
          // The last 11 digits as a number (exact below 2^53), their count, and a lookup only
          // when the last six digits end some value.
          if (dRun === 0) dGluedBefore = (previous & HEX_LETTER) !== 0;
          // Below 11 digits nothing falls off the front: no modulo (a floating-point one per digit was slow).
          if (dCount < 11) {
            dValue = dValue * 10 + (byte - 48);
            dCount++;
          } else dValue = (dValue % 1e10) * 10 + (byte - 48);
          dRun++;
          if (dCount >= MIN_DIGITS && digitTails.has(dValue % 1e6)) {
            for (const valueLength of digitLengths) {
              // A value that starts the run starts right after whatever came before the run.
              if (dCount < valueLength || (dGluedBefore && valueLength === dRun)) continue;
              const digits = String(dValue % 10 ** valueLength).padStart(valueLength, "0");
              const found = digitValues.get(digits);
              if (found >= 0) pending = found;
              else {
                const date = writtenDateValues.get(digits);
                if (date >= 0 && isWrittenAsDate(bytes, index, valueLength)) pending = date;
              }
            }
          }
        } else if (!(kind & NUMBER_SEPARATOR)) {
          dCount = 0;
          dValue = 0;
          dRun = 0;
        }
        previous = kind;
      }
      wordLength = wLength;
      wordHash = wHash;
      wordAscii = wAscii;
      idLength = iLength;
      idJoiners = iJoiners;
      idAscii = iAscii;
      idHash = iHash;
      idTrimmedHash = iTrimmedHash;
      idInnerJoiner = iInnerJoiner;
      digitValue = dValue;
      digitCount = dCount;
      runDigits = dRun;
      runGluedBefore = dGluedBefore;
      previousClass = previous;
      pendingDigitHit = pending;
      hexLength = hLength;
      hexOverflow = hOverflow;
    }

    function end() {
      if (wordLength) endWord(wordLength, wordHash, wordAscii);
      if (idLength) endIdToken(idLength, idJoiners, idAscii, idTrimmedHash, idInnerJoiner);
      endHexRun(hexLength, hexOverflow);
      wordLength = idLength = hexLength = 0;
      check(pendingDigitHit);
      pendingDigitHit = -1;
    }

    return { write, end };
  }

  return {
    patternCount: wordValues.size + idValues.size + phraseValues.size + digitValues.size + writtenDateValues.size + hashPrefixes.size,
    open,
    scanBuffer(data, source) {
      const matcher = open(source);
      matcher.write(data);
      matcher.end();
    },
    async scanStream(stream, source) {
      const matcher = open(source);
      for await (const chunk of stream) matcher.write(chunk as Buffer | string);
      matcher.end();
    },
  };
}
