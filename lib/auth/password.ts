import bcrypt from "bcryptjs";

// bcrypt cost 12: ~0.25 s per check in pure JS, slow enough to hurt guessing, fast enough to sign in.
const COST = 12;

export const PASSWORD_MIN_LENGTH = 10;

export function hashPassword(password: string) {
  return bcrypt.hash(password, COST);
}

let dummyHash: Promise<string> | null = null;

export async function verifyPassword(password: string, hash: string | null | undefined) {
  // Compare against a throwaway hash when there is none, so unknown emails take as long as known ones.
  dummyHash ??= bcrypt.hash("careexport-timing-equalizer", COST);
  const isMatch = await bcrypt.compare(password, hash ?? (await dummyHash));

  return Boolean(hash) && isMatch;
}
