// Keyed pseudonyms and per-patient date offsets. Both are HMAC-SHA-256 over the internal id
// with the secret ANON_KEY: stable across exports with the same key, and not reversible by
// hashing a dictionary of ids (a bare MD5/SHA of an id would be). Never fed MRN/SSN/Medicaid.
import { createHmac } from "node:crypto";

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

function hmac(key: string, message: string) {
  if (!key) throw new Error("An anonymization key is required");
  return createHmac("sha256", key).update(message).digest();
}

/** "P-3f9a0c5d1e2b4a67": the kind is part of the MAC input, so one id never maps alike across kinds. */
export function pseudonymize(key: string, kind: TPseudonymKind, internalId: string): string {
  return `${PREFIX[kind]}-${hmac(key, `pseudonym:${kind}:${internalId}`).subarray(0, 8).toString("hex")}`;
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
