// The release scan's matcher (terms: scan-terms.ts, built into tables by index.ts). Before a file is
// offered, every byte of it is searched for the identifying values of every patient in it. The stream is tokenized once, and each token is looked up in
// hash tables of every patient's values, so the cost is linear in the file size and memory is a
// few typed-array slots per value (fingerprint-table.ts). All tokenizer state carries across
// chunks: a value split between two chunks is still found.
//
//   - words ([A-Za-z0-9] and any non-ASCII byte), case-folded: names, single-word ids (a name that is
//     an everyday word, "Will", "Major", is searched only within the full name: common-words.ts);
//   - id tokens (words joined by . _ @ + -): emails, "MRN-448812", "Ashcombe-Tate";
//   - the last few words joined by one space: street addresses, full names. Street suffixes and unit
//     designators are read in one spelling (normalize.ts: "Avenue" = "Ave", "Apartment" = "Apt"), and
//     a "#" is a word of its own ("#10B" is "# 10b");
//   - the digits of numbers (up to 15), skipping the separators numbers are written with (space - ( ) . + /)
//     and restarting at anything else: phones in any format, SSNs, ids by their digits, ZIP+4, birth dates (YYYYMMDD, MMDDYYYY).
//     A birth date written without its zeros (5/6/1931, 1931-5-6) is 6 or 7 digits, as short as
//     many a number: it counts only where written as a date, which is checked on the bytes around
//     it when (rarely) its digits match, never in the per-byte loop. Written months ("May 6,
//     1931") are not searched: every day and year number would then pass the word prefilter.
//     Digits glued to a lower-case hex letter on either side of the value ("ab19700304cd",
//     "19700304f") are part of a hex string, not a number: checksums, hashes and UUIDs hold such
//     runs by chance, and a million of them in one export would refuse it every time for some
//     patient's birth date. Any other letter does not hide a number ("DOB19700304", "tel3125550000");
//   - runs of 32, 40 or 64 hex digits: plain MD5 / SHA-1 / SHA-256 of a raw id.
import type { Readable } from "node:stream";

import { type FingerprintList, FingerprintTable, FNV_OFFSET, FNV_PRIME, mixHashOfAsciiLowered, type TSharedFingerprintTable, type TSharedUint32Set, Uint32Set } from "@/lib/anonymize/fingerprint-table";
import { canonicalWord, UNIT_SIGN } from "@/lib/anonymize/normalize";
import { ReleaseScanError, SCAN_KINDS } from "@/lib/anonymize/release-scan/scan-error";
import {
  BYTE_CLASS, DIGIT, HASH_PREFIX, HEX, HEX_LENGTHS, HEX_LETTER, JOINER, MAX_DIGITS, MAX_TOKEN, MIN_DIGITS, NO_MATCH, NUMBER_SEPARATOR, sameAsciiLowered, trimJoiners, UNIT_SIGN_BYTE, WORD, WORD_CACHE_SIZE,
} from "@/lib/anonymize/release-scan/tokenizer";
import { isWrittenAsDate } from "@/lib/anonymize/release-scan/written-dates";

export type TReleaseScanner = {
  /** Scans one stream (a file or a ZIP entry); `source` names it in the error. Throws ReleaseScanError on a hit. */
  scanStream(stream: Readable | AsyncIterable<Buffer | string>, source: string): Promise<void>;
  /** Scans one whole buffer or string. */
  scanBuffer(data: Buffer | string, source: string): void;
  /** A push-style matcher for one stream, for callers that already hold the chunks. */
  open(source: string): { write(chunk: Buffer | string): void; end(): void };
  readonly patternCount: number;
};

export type TScanValues = {
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
 * A built scanner's tables as plain data: its lookup tables and prefilter sets in shared memory
 * (fingerprint-table.ts), the rest small. Posted to another thread, the shared parts are not
 * copied: the partitioned dataset export builds them once and every compute worker scans with them.
 */
export type TScannerTables = {
  patients: { pseudonym: string; id: string }[];
  wordValues: TSharedFingerprintTable;
  idValues: TSharedFingerprintTable;
  phraseValues: TSharedFingerprintTable;
  digitValues: TSharedFingerprintTable;
  writtenDateValues: TSharedFingerprintTable;
  hashPrefixes: TSharedFingerprintTable;
  digitLengths: number[];
  longestPhrase: number;
  wordHashes: TSharedUint32Set;
  idHashes: TSharedUint32Set;
  digitTails: TSharedUint32Set;
  phraseLastWords: string[];
};

/** How many values the scanner looks for (distinct keys of its tables). */
export const patternCountOf = (tables: TScannerTables) =>
  [tables.wordValues, tables.idValues, tables.phraseValues, tables.digitValues, tables.writtenDateValues, tables.hashPrefixes].reduce((sum, table) => sum + table.count, 0);

/** Makes the lookup tables from the values' lists (the lists are empty after). */
export function scannerTablesOf(values: TScanValues): TScannerTables {
  return {
    patients: values.patients,
    wordValues: new FingerprintTable(values.wordValues).shared(),
    idValues: new FingerprintTable(values.idValues).shared(),
    phraseValues: new FingerprintTable(values.phraseValues).shared(),
    digitValues: new FingerprintTable(values.digitValues).shared(),
    writtenDateValues: new FingerprintTable(values.writtenDateValues).shared(),
    hashPrefixes: new FingerprintTable(values.hashPrefixes).shared(),
    digitLengths: [...values.digitLengths],
    longestPhrase: values.longestPhrase,
    wordHashes: values.wordHashes.shared(),
    idHashes: values.idHashes.shared(),
    digitTails: values.digitTails.shared(),
    phraseLastWords: [...values.phraseLastWords],
  };
}

/** A scanner over tables built here or in another thread (read in place, never changed). */
export function scannerFromTables(tables: TScannerTables): TReleaseScanner {
  // Prefilters, so most tokens are never decoded to strings: an ASCII word is only looked up
  // when its hash (computed while scanning) is the hash of some value's word or phrase word; an
  // ASCII id token (trailing joiners trimmed) only when it has a joiner inside and its hash is
  // that of some id value; phrases only end on the last word of some phrase; digit runs only
  // when their last six digits end some value. Exact: a skipped token could not have matched.
  const { patients, longestPhrase } = tables;
  const digitLengths = new Set(tables.digitLengths);
  const phraseLastWords = new Set(tables.phraseLastWords);
  const wordHashes = Uint32Set.fromShared(tables.wordHashes);
  const idHashes = Uint32Set.fromShared(tables.idHashes);
  const digitTails = Uint32Set.fromShared(tables.digitTails);
  const wordValues = new FingerprintTable(tables.wordValues);
  const idValues = new FingerprintTable(tables.idValues);
  const phraseValues = new FingerprintTable(tables.phraseValues);
  const digitValues = new FingerprintTable(tables.digitValues);
  const writtenDateValues = new FingerprintTable(tables.writtenDateValues);
  const hashPrefixes = new FingerprintTable(tables.hashPrefixes);

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
      // Street suffixes and unit designators in one spelling ("Avenue" = "Ave"), as the phrases are stored.
      if (longestPhrase > 1) pushPhraseWord(canonicalWord(token));
    }
    /** A word of the running phrase ended: any stored phrase ending with it is looked up. */
    function pushPhraseWord(token: string) {
      recentWords.push(token);
      if (recentWords.length > longestPhrase) recentWords.shift();
      if (!phraseLastWords.has(token)) return;
      for (let count = 2; count <= recentWords.length; count++) check(phraseValues.get(recentWords.slice(recentWords.length - count).join(" ")));
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
          // "#" is a word of its own here: "#10B" is searched as "# 10b", only for distinctive unit numbers (scan-terms.ts).
          if (byte === UNIT_SIGN_BYTE && longestPhrase > 1) pushPhraseWord(UNIT_SIGN);
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
          // The last MAX_DIGITS digits as a number (exact below 2^53), their count, and a lookup
          // only when the last six digits end some value.
          if (dRun === 0) dGluedBefore = (previous & HEX_LETTER) !== 0;
          // Below MAX_DIGITS digits nothing falls off the front: no modulo (a floating-point one per digit was slow).
          if (dCount < MAX_DIGITS) {
            dValue = dValue * 10 + (byte - 48);
            dCount++;
          } else dValue = (dValue % 1e14) * 10 + (byte - 48);
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
    patternCount: patternCountOf(tables),
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

