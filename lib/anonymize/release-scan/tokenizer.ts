// The release scan's byte classes and token helpers: one table lookup per byte in the scan's inner
// loop, and the string forms values are stored in (lower case; words of [a-z0-9] and non-ASCII).
import { hash } from "node:crypto";

import { lowerAsciiByte } from "@/lib/anonymize/fingerprint-table";

export const MAX_TOKEN = 256;
export const MAX_PHRASE_WORDS = 8;
export const HASH_PREFIX = 20;
export const HEX_LENGTHS = new Set([32, 40, 64]);
/** The shortest digit value: a birth date such as 5/6/1931. */
export const MIN_DIGITS = 6;
/** The longest digit value: a 15-digit id (the last 15 digits of a run are kept as one number, exact below 2^53). */
export const MAX_DIGITS = 15;
/** "#" before a unit number: read as the word "unit" ("#10B" = "Apt 10B"). */
export const UNIT_SIGN_BYTE = 35;

const isAsciiWord = (byte: number) => (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90);
const isWordByte = (byte: number) => isAsciiWord(byte) || byte >= 0x80;
/** . _ @ + - join words into one id token. */
const isIdJoiner = (byte: number) => byte === 46 || byte === 95 || byte === 64 || byte === 43 || byte === 45;
export const isDigit = (byte: number) => byte >= 48 && byte <= 57;
const isHex = (byte: number) => isDigit(byte) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70);
/** Bytes a number may be written with between its digits: space - ( ) . + / */
const isNumberSeparator = (byte: number) => byte === 32 || byte === 45 || byte === 40 || byte === 41 || byte === 46 || byte === 43 || byte === 47;

/** The predicates above as one table lookup per byte (the scan's inner loop). */
export const WORD = 1;
export const JOINER = 2;
export const DIGIT = 4;
export const HEX = 8;
export const NUMBER_SEPARATOR = 16;
export const HEX_LETTER = 32;
/** a-f: hex strings are written in lower case (sha256sum, UUIDs, our manifest's checksums). */
const isLowerHexLetter = (byte: number) => byte >= 97 && byte <= 102;
export const BYTE_CLASS = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  BYTE_CLASS[byte] =
    (isWordByte(byte) ? WORD : 0) | (isIdJoiner(byte) ? JOINER : 0) | (isDigit(byte) ? DIGIT : 0) | (isHex(byte) ? HEX : 0) | (isNumberSeparator(byte) ? NUMBER_SEPARATOR : 0) | (isLowerHexLetter(byte) ? HEX_LETTER : 0);
}

/** Whether the first text.length bytes, A-Z read as a-z, are the ASCII text (already lower case). */
export function sameAsciiLowered(bytes: Uint8Array, text: string) {
  for (let index = 0; index < text.length; index++) if (lowerAsciiByte(bytes[index]!) !== text.charCodeAt(index)) return false;
  return true;
}
export const WORD_CACHE_SIZE = 4096;

// The scanner computes FNV-1a over a word's bytes as it reads them: for ASCII, the fnv1a of the string.
/** A token that matches nothing (a word the prefilter ruled out). */
export const NO_MATCH = "\u0000";
export const isAsciiText = (value: string) => /^[\x00-\x7f]*$/.test(value);
export const words = (value: string) => value.toLowerCase().match(/[a-z0-9\u0080-\uffff]+/g) ?? [];
export const trimJoiners = (value: string) => value.replace(/^[._@+-]+|[._@+-]+$/g, "");
/** The first HASH_PREFIX hex digits (one-shot hash: a few hundred thousand of them per export). */
export const hexPrefix = (algorithm: string, value: string) => hash(algorithm, value, "hex").slice(0, HASH_PREFIX);
