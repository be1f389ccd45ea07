import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as zxcvbnCommon from "@zxcvbn-ts/language-common";
import * as zxcvbnEn from "@zxcvbn-ts/language-en";
import bcrypt from "bcryptjs";

import { invalidInput } from "@/lib/errors/app-error";

// bcrypt cost 12: ~0.25 s per check in pure JS, slow enough to hurt guessing, fast enough to sign in.
const COST = 12;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;
/** zxcvbn's 3: "safely unguessable", about 10^8 guesses or more. */
export const PASSWORD_MIN_SCORE = 3;

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

// Built once, on the first check: ranking the dictionaries takes a moment.
let estimator: ZxcvbnFactory | null = null;

function strengthEstimator() {
  estimator ??= new ZxcvbnFactory({
    translations: zxcvbnEn.translations,
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  });

  return estimator;
}

/** The person's own words, which make a password easy to guess for anyone who knows them. */
function personalWords({ email, name }: TPasswordOwner): string[] {
  const words = new Set<string>();
  const add = (value: string | null | undefined) => {
    const word = value?.trim().toLowerCase();
    if (word && word.length >= 3) words.add(word);
  };
  add(name);
  for (const part of name?.split(/[^\p{L}\p{N}]+/u) ?? []) add(part);
  add(email);
  const [local, domain] = (email ?? "").split("@");
  add(local);
  for (const part of local?.split(/[._+-]+/) ?? []) add(part);
  for (const label of domain?.split(".") ?? []) add(label);
  add("careexport");

  return [...words];
}

export type TPasswordOwner = { email?: string | null; name?: string | null };

function withoutWords(password: string, words: string[]) {
  let rest = password;
  for (const word of [...words].sort((a, b) => b.length - a.length)) rest = rest.replace(new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), "");

  return rest;
}

/**
 * Why `password` is not strong enough for this person, in words, or null. At least
 * PASSWORD_MIN_LENGTH characters and a zxcvbn score of PASSWORD_MIN_SCORE, with the person's name
 * and email (and their parts) as known words; and what is left once those words are taken out
 * must score as well (zxcvbn alone lets "JordanOkonkwo1!" pass for Jordan Okonkwo, its capitals
 * and symbol counting as strength). The reason is zxcvbn's own feedback.
 */
export function passwordWeakness(password: string, owner: TPasswordOwner): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const words = personalWords(owner);
  const whole = strengthEstimator().check(password, words);
  const rest = withoutWords(password, words);
  const remainder = rest === password ? whole : strengthEstimator().check(rest, words);
  const weakest = remainder.score < whole.score ? remainder : whole;
  if (weakest.score >= PASSWORD_MIN_SCORE) return null;
  const advice = [weakest.feedback.warning, ...weakest.feedback.suggestions].filter(Boolean).join(" ");
  const isPersonal = weakest === remainder && remainder !== whole;

  return `is too easy to guess${isPersonal ? " without your name and email in it" : ""}${advice ? `. ${advice}` : ""}`;
}

/** The same rule everywhere a password is set (admin API, CLI, reset): a 400 naming `field`. */
export function assertStrongPassword(password: string, owner: TPasswordOwner, field = "password") {
  const weakness = passwordWeakness(password, owner);
  if (weakness) throw invalidInput(field, weakness);
}
