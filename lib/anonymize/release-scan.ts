// The release scan: before a file is offered, every byte of it is searched for the identifying
// values of every patient in it. The stream is tokenized once, and each token is looked up in
// hash maps of every patient's values, so the cost is linear in the file size and memory is a
// few entries per patient. All tokenizer state carries across chunks: a value split between two
// chunks is still found.
//
//   - words ([A-Za-z0-9] and any non-ASCII byte), case-folded: names, single-word ids;
//   - id tokens (words joined by . _ @ + -): emails, "MRN-448812", "Ashcombe-Tate";
//   - the last few words joined by one space: street addresses;
//   - the digits of numbers, skipping the separators numbers are written with (space - ( ) . + /)
//     and restarting at anything else: phones in any format, SSNs, birth dates (YYYYMMDD, MMDDYYYY);
//   - runs of 32, 40 or 64 hex digits: plain MD5 / SHA-1 / SHA-256 of a raw id.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";

import type { TPatientIdentity } from "@/lib/anonymize/patient-identity";

export type TScanKind = "name" | "phone number" | "email address" | "street address" | "birth date" | "identifier" | "hash of an identifier" | "SSN";

export class ReleaseScanError extends Error {
  readonly patientPseudonym: string;
  readonly kind: TScanKind;
  readonly source: string;

  constructor(pseudonym: string, kind: TScanKind, source: string) {
    // Never the value itself: the message is stored on the job and shown to the requester.
    super(`Release scan refused the file: ${source} contains a ${kind} of patient ${pseudonym}. Nothing was offered; the data needs fixing before it can be exported.`);
    this.name = "ReleaseScanError";
    this.patientPseudonym = pseudonym;
    this.kind = kind;
    this.source = source;
  }
}

type THit = { kind: TScanKind; pseudonym: string };

const MAX_TOKEN = 256;
const MAX_PHRASE_WORDS = 8;
const HASH_PREFIX = 20;
const HEX_LENGTHS = new Set([32, 40, 64]);

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
const BYTE_CLASS = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  BYTE_CLASS[byte] = (isWordByte(byte) ? WORD : 0) | (isIdJoiner(byte) ? JOINER : 0) | (isDigit(byte) ? DIGIT : 0) | (isHex(byte) ? HEX : 0) | (isNumberSeparator(byte) ? NUMBER_SEPARATOR : 0);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** A token that matches nothing (a word the prefilter ruled out). */
const NO_MATCH = "\u0000";
const isAsciiText = (value: string) => /^[\x00-\x7f]*$/.test(value);
/** FNV-1a over the (ASCII) characters, the same as the scanner computes over a word's bytes. */
function fnv1a(value: string) {
  let hash = FNV_OFFSET;
  for (let index = 0; index < value.length; index++) hash = Math.imul(hash ^ value.charCodeAt(index), FNV_PRIME) >>> 0;
  return hash;
}
const words = (value: string) => value.toLowerCase().match(/[a-z0-9\u0080-\uffff]+/g) ?? [];
const trimJoiners = (value: string) => value.replace(/^[._@+-]+|[._@+-]+$/g, "");
/** The first HASH_PREFIX hex digits, as a string of its own (a slice of the full hex would keep it alive). */
const hexPrefix = (algorithm: string, value: string) => createHash(algorithm).update(value).digest().subarray(0, HASH_PREFIX / 2).toString("hex");

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
 * batches never holds them all: only the scanner's maps stay.
 */
export function releaseScannerBuilder(): { add(identity: TPatientIdentity): void; build(): TReleaseScanner } {
  const wordValues = new Map<string, THit>();
  const idValues = new Map<string, THit>();
  const phraseValues = new Map<string, THit>();
  const digitValues = new Map<string, THit>();
  const hashPrefixes = new Map<string, THit>();
  const digitLengths = new Set<number>();
  let longestPhrase = 0;

  const addWord = (value: string, hit: THit) => {
    const parts = words(value);
    if (parts.length === 1 && parts[0]!.length >= 2 && trimJoiners(value.trim().toLowerCase()) === parts[0]) wordValues.set(parts[0]!, hit);
    else if (parts.length > 1) addToken(value, hit);
  };
  const addToken = (value: string, hit: THit) => {
    const token = trimJoiners(value.trim().toLowerCase());
    if (token.length < 3) return;
    // A value with spaces is a phrase of words; one with joiners is an id token.
    if (/\s/.test(token)) {
      const phrase = words(token);
      if (phrase.length >= 2 && phrase.length <= MAX_PHRASE_WORDS) {
        phraseValues.set(phrase.join(" "), hit);
        longestPhrase = Math.max(longestPhrase, phrase.length);
      }
    } else if (words(token).length > 1) idValues.set(token, hit);
    else wordValues.set(token, hit);
  };
  const addDigits = (digits: string, hit: THit) => {
    if (digits.length < 7 || digits.length > 11) return;
    digitValues.set(digits, hit);
    digitLengths.add(digits.length);
  };

  const add = (identity: TPatientIdentity) => {
    const who = identity.pseudonym;
    // One hit object per patient and kind, shared by its values (tens of thousands of patients).
    const hits = new Map<TScanKind, THit>();
    const hitOf = (kind: TScanKind) => {
      let found = hits.get(kind);
      if (!found) hits.set(kind, (found = { kind, pseudonym: who }));
      return found;
    };
    for (const name of identity.names) addWord(name, hitOf("name"));
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
    }
    for (const id of identity.ids) {
      const trimmed = id.trim();
      if (/^\d{3}-?\d{2}-?\d{4}$/.test(trimmed)) addDigits(trimmed.replace(/\D/g, ""), hitOf("SSN"));
      if (trimmed.length >= 4) addToken(trimmed, hitOf("identifier"));
      for (const algorithm of ["md5", "sha1", "sha256"]) hashPrefixes.set(hexPrefix(algorithm, trimmed), hitOf("hash of an identifier"));
    }
  };

  return { add, build: () => buildScanner({ wordValues, idValues, phraseValues, digitValues, hashPrefixes, digitLengths, longestPhrase }) };
}

type TScanValues = {
  wordValues: Map<string, THit>;
  idValues: Map<string, THit>;
  phraseValues: Map<string, THit>;
  digitValues: Map<string, THit>;
  hashPrefixes: Map<string, THit>;
  digitLengths: Set<number>;
  longestPhrase: number;
};

function buildScanner({ wordValues, idValues, phraseValues, digitValues, hashPrefixes, digitLengths, longestPhrase }: TScanValues): TReleaseScanner {
  // Prefilters, so most tokens are never decoded to strings: an ASCII word is only looked up
  // when its hash (computed while scanning) is the hash of some value's word, an id token only
  // when it has a joiner inside (id values have several words), and phrases only end on the
  // last word of some phrase. Exact: a skipped token could not have matched.
  const wordHashes = new Set<number>();
  const digitTails = new Set<number>();
  for (const value of digitValues.keys()) digitTails.add(Number(value.slice(-6)));
  const phraseLastWords = new Set<string>();
  for (const value of wordValues.keys()) if (isAsciiText(value)) wordHashes.add(fnv1a(value));
  // Id tokens likewise: an ASCII token (trailing joiners trimmed) is only decoded when it has a
  // joiner inside and its hash is that of some id value.
  const idHashes = new Set<number>();
  for (const value of idValues.keys()) if (isAsciiText(value)) idHashes.add(fnv1a(value));
  for (const phrase of phraseValues.keys()) {
    const parts = phrase.split(" ");
    for (const part of parts) if (isAsciiText(part)) wordHashes.add(fnv1a(part));
    phraseLastWords.add(parts[parts.length - 1]!);
  }

  function open(source: string) {
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
    const hexBytes = new Uint8Array(64);
    let hexLength = 0;
    let hexOverflow = false;

    const hit = (found: THit): never => {
      throw new ReleaseScanError(found.pseudonym, found.kind, source);
    };
    const decode = (bytes: Uint8Array, length: number) => Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(length, MAX_TOKEN)).toString("utf8").toLowerCase();

    function endWord() {
      if (wordLength === 0) return;
      const token = wordLength > MAX_TOKEN ? "" : wordAscii && !wordHashes.has(wordHash) ? NO_MATCH : decode(word, wordLength);
      wordLength = 0;
      wordHash = FNV_OFFSET;
      wordAscii = true;
      const found = token && wordValues.get(token);
      if (found) hit(found);
      if (longestPhrase > 1) {
        recentWords.push(token);
        if (recentWords.length > longestPhrase) recentWords.shift();
        if (!phraseLastWords.has(token)) return;
        for (let count = 2; count <= recentWords.length; count++) {
          const phrase = phraseValues.get(recentWords.slice(recentWords.length - count).join(" "));
          if (phrase) hit(phrase);
        }
      }
    }
    function endIdToken() {
      if (idLength === 0) return;
      const token = idLength <= MAX_TOKEN && idJoiners > 0 ? (idAscii && (!idInnerJoiner || !idHashes.has(idTrimmedHash)) ? "" : trimJoiners(decode(idToken, idLength))) : "";
      idLength = 0;
      idJoiners = 0;
      idAscii = true;
      idHash = FNV_OFFSET;
      idTrimmedHash = FNV_OFFSET;
      idInnerJoiner = false;
      const found = token && idValues.get(token);
      if (found) hit(found);
    }
    function endHexRun() {
      if (!hexOverflow && HEX_LENGTHS.has(hexLength)) {
        const found = hashPrefixes.get(Buffer.from(hexBytes.buffer, 0, HASH_PREFIX).toString("latin1"));
        if (found) hit(found);
      }
      hexLength = 0;
      hexOverflow = false;
    }

    function write(chunk: Buffer | string) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      for (let index = 0; index < bytes.length; index++) {
        const byte = bytes[index]!;
        const kind = BYTE_CLASS[byte]!;
        if (kind & WORD) {
          if (wordLength < MAX_TOKEN) word[wordLength] = byte;
          wordLength++;
          const folded = byte >= 65 && byte <= 90 ? byte | 0x20 : byte;
          if (byte >= 0x80) {
            wordAscii = false;
            idAscii = false;
          }
          wordHash = Math.imul(wordHash ^ folded, FNV_PRIME) >>> 0;
          if (idLength < MAX_TOKEN) idToken[idLength] = byte;
          idLength++;
          idHash = Math.imul(idHash ^ folded, FNV_PRIME) >>> 0;
          idTrimmedHash = idHash;
          if (idJoiners > 0) idInnerJoiner = true;
        } else {
          if (wordLength) endWord();
          if (kind & JOINER && idLength > 0) {
            if (idLength < MAX_TOKEN) idToken[idLength] = byte;
            idLength++;
            idJoiners++;
            idHash = Math.imul(idHash ^ byte, FNV_PRIME) >>> 0;
          } else if (idLength) {
            endIdToken();
          }
        }

        if (kind & HEX) {
          if (hexLength < 64) hexBytes[hexLength++] = byte | 0x20;
          else hexOverflow = true;
        } else if (hexLength) {
          endHexRun();
        }

        if (kind & DIGIT) {
          // The last 11 digits as a number (exact below 2^53), their count, and a lookup only
          // when the last six digits end some value.
          digitValue = (digitValue * 10 + (byte - 48)) % 1e11;
          if (digitCount < 11) digitCount++;
          if (digitCount >= 7 && digitTails.has(digitValue % 1e6)) {
            for (const length of digitLengths) {
              if (digitCount >= length) {
                const found = digitValues.get(String(digitValue % 10 ** length).padStart(length, "0"));
                if (found) hit(found);
              }
            }
          }
        } else if (!(kind & NUMBER_SEPARATOR)) {
          digitCount = 0;
          digitValue = 0;
        }
      }
    }

    function end() {
      endWord();
      endIdToken();
      endHexRun();
    }

    return { write, end };
  }

  return {
    patternCount: wordValues.size + idValues.size + phraseValues.size + digitValues.size + hashPrefixes.size,
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
