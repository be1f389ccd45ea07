// The tests' own leak checker: a plain normalised substring search over an exported file, written
// apart from both the scrubber and the release scan (it imports neither, nor their normalisation),
// so a blind spot they share does not hide a leak from the test that checks them.
//
// Words: the text lower-cased, split into runs of letters and runs of digits, street suffixes and
// unit designators spelled one way, joined by single spaces. Numbers: every run of digits with the
// separators people group numbers with (space - . ( ) / +) taken out.

const SAME_WORD: Record<string, string> = {
  street: "st", str: "st", road: "rd", avenue: "ave", av: "ave", drive: "dr", lane: "ln", boulevard: "blvd", court: "ct", place: "pl", highway: "hwy",
  terrace: "ter", circle: "cir", parkway: "pkwy", square: "sq", trail: "trl", apartment: "apt", unit: "apt", suite: "apt", ste: "apt",
};

/** " 966 chestnut ave apt 10 b " of "966 Chestnut Avenue, #10-B". */
export function wordsForm(text: string): string {
  const tokens = text.toLowerCase().replace(/#/g, " apt ").match(/\p{L}+|\p{N}+/gu) ?? [];

  return ` ${tokens.map((token) => SAME_WORD[token] ?? token).join(" ")} `;
}

/** " 3125550187 60201 " of "(312) 555-0187, IL 60201". */
export function digitsForm(text: string): string {
  const runs = text.replace(/(\d)[\s().\/+-]{1,3}(?=\d)/g, "$1").match(/\d+/g) ?? [];

  return ` ${runs.join(" ")} `;
}

export type TLeakTarget = {
  /** The identifier class it counts under (address line, ZIP-5, phone, ...). */
  kind: string;
  /** Who it belongs to (a pseudonym or fixture label, never the value). */
  owner: string;
  /** Searched in wordsForm, as whole words. */
  words?: string;
  /** Searched in digitsForm: inside a run when 7 digits or more, else as a whole run. */
  digits?: string;
};

/** Prepares a text once for many targets. */
export function searchableText(text: string) {
  return { words: wordsForm(text), digits: digitsForm(text) };
}

export function isLeaked(target: TLeakTarget, text: { words: string; digits: string }): boolean {
  if (target.words) {
    const needle = wordsForm(target.words);
    if (needle.trim() && text.words.includes(needle)) return true;
  }
  if (target.digits) {
    const digits = target.digits.replace(/\D/g, "");
    if (digits && text.digits.includes(digits.length >= 7 ? digits : ` ${digits} `)) return true;
  }

  return false;
}

/** The targets found in the text. */
export function findLeaks(targets: TLeakTarget[], text: string): TLeakTarget[] {
  const searchable = searchableText(text);

  return targets.filter((target) => isLeaked(target, searchable));
}

/** The address lines of a stored FHIR Patient (each line, and each part between its commas). */
export function addressLineTargets(resource: { address?: { line?: string[] }[] }, owner: string): TLeakTarget[] {
  const lines = (resource.address ?? []).flatMap((address) => address.line ?? []);
  const parts = lines.flatMap((line) => [line, ...line.split(",").map((part) => part.trim())]).filter((part) => part.length > 0);

  return [...new Set(parts)].map((part) => ({ kind: "address line", owner, words: part }));
}
