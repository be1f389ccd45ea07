// Keyed pseudonyms and per-patient date offsets. Both are HMAC-SHA-256 over the internal id
// with the secret ANON_KEY: stable across exports with the same key, and not reversible by
// hashing a dictionary of ids (a bare MD5/SHA of an id would be). Never fed MRN/SSN/Medicaid.
import { keyedHmacSha256 } from "@/lib/anonymize/hmac-sha256";

export type TPseudonymKind = "patient" | "encounter" | "response" | "practitioner" | "observation" | "condition" | "care_plan" | "location";

const PREFIX: Record<TPseudonymKind, string> = {
  patient: "P",
  encounter: "E",
  response: "R",
  practitioner: "D",
  observation: "O",
  condition: "C",
  care_plan: "K",
  location: "L",
};

// The MAC function of the last key: one key per process (ANON_KEY), tests switch keys.
let macOfKey: { key: string; mac: (message: string) => Buffer } | null = null;

function hmac(key: string, message: string) {
  if (!key) throw new Error("An anonymization key is required");
  if (macOfKey?.key !== key) macOfKey = { key, mac: keyedHmacSha256(key) };
  return macOfKey.mac(message);
}

/**
 * 64 bits of the MAC, one consonant per 4 bits. Letters, not hex: the release scan searches every
 * exported byte for patients' phone numbers and birth dates as runs of digits, and a million hex
 * pseudonyms hold a few chance runs like "19700304" (a 1M-row export with 20,000 patients' birth
 * dates was refused ~6 times over). Without vowels a pseudonym spells no name either.
 */
const PSEUDONYM_ALPHABET = "bcdfghjklmnpqrst";

/** The two letters of each byte value. */
const LETTER_PAIRS = Array.from({ length: 256 }, (_, byte) => PSEUDONYM_ALPHABET[byte >> 4]! + PSEUDONYM_ALPHABET[byte & 15]!);

/** "P-hbdfqrtmkcsnlgjp": the kind is part of the MAC input, so one id never maps alike across kinds. */
export function pseudonymize(key: string, kind: TPseudonymKind, internalId: string): string {
  const mac = hmac(key, `pseudonym:${kind}:${internalId}`);
  // Joined, not appended with +=: appending leaves a chain of V8 cons strings (measured ~250 bytes
  // a cached pseudonym against ~80 flat), and exports cache pseudonyms by the hundred thousand.
  const parts = [PREFIX[kind], "-"];
  for (let index = 0; index < 8; index++) parts.push(LETTER_PAIRS[mac[index]!]!);

  return parts.join("");
}

export const MAX_DATE_SHIFT_DAYS = 30;

/**
 * The patient's date offset in days: in [-30, -1] ∪ [1, 30], never 0 (an unshifted date
 * would be the real one). The same for every row of that patient, so intervals survive.
 */
export function dateShiftDays(key: string, patientId: string): number {
  const value = hmac(key, `date-shift:${patientId}`).readUInt32BE(0) % (2 * MAX_DATE_SHIFT_DAYS);

  return value < MAX_DATE_SHIFT_DAYS ? value - MAX_DATE_SHIFT_DAYS : value - MAX_DATE_SHIFT_DAYS + 1;
}
