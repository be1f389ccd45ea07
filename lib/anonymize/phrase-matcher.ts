// The scrubber's matcher for a patient's names, address phrases, cities and ZIP codes: the text is
// read once as word tokens (normalize.ts: case, punctuation, hyphens and suffix spelling do not
// matter), and each token is looked up in a map of the phrases that start with it. Linear in the
// text: each token is compared with at most the few phrases that start with it, each at most
// MAX_PHRASE_TOKENS long.
import { canonicalWord, UNIT_SIGN, UNIT_WORD, WORD_TOKEN, wordTokens } from "@/lib/anonymize/normalize";

const MAX_PHRASE_TOKENS = 12;
/** At most this many characters between two words of one phrase ("966 Chestnut Ave" ~ "966, Chestnut -- Ave."). */
const MAX_GAP = 4;

export type TPhraseMatcher = {
  /** [start, end) character ranges of every phrase found, in order, not overlapping. */
  find(text: string): [number, number][];
  readonly size: number;
};

export function createPhraseMatcher(phrases: Iterable<string>): TPhraseMatcher {
  const byFirst = new Map<string, string[][]>();
  let size = 0;
  for (const phrase of phrases) {
    const tokens = wordTokens(phrase).map(canonicalWord);
    if (!tokens.length || tokens.length > MAX_PHRASE_TOKENS) continue;
    // A lone token of one character ("J", "3") would take any such letter or digit out of the text.
    if (tokens.length === 1 && tokens[0]!.length < 2) continue;
    const entries = byFirst.get(tokens[0]!) ?? [];
    if (entries.some((entry) => entry.join(" ") === tokens.join(" "))) continue;
    entries.push(tokens);
    // Longest first: "966 Chestnut Ave" is taken whole before "966 Chestnut".
    entries.sort((a, b) => b.length - a.length);
    byFirst.set(tokens[0]!, entries);
    size++;
  }

  return {
    size,
    find(text) {
      const starts: number[] = [];
      const ends: number[] = [];
      const words: string[] = [];
      for (const match of text.matchAll(WORD_TOKEN)) {
        starts.push(match.index);
        ends.push(match.index + match[0].length);
        words.push(match[0] === UNIT_SIGN ? UNIT_WORD : canonicalWord(match[0].toLowerCase()));
      }
      const ranges: [number, number][] = [];
      for (let index = 0; index < words.length; index++) {
        const candidates = byFirst.get(words[index]!);
        if (!candidates) continue;
        for (const tokens of candidates) {
          if (index + tokens.length > words.length) continue;
          let matched = true;
          for (let offset = 1; offset < tokens.length && matched; offset++) {
            const at = index + offset;
            matched = words[at] === tokens[offset] && starts[at]! - ends[at - 1]! <= MAX_GAP;
          }
          if (!matched) continue;
          ranges.push([starts[index]!, ends[index + tokens.length - 1]!]);
          index += tokens.length - 1;
          break;
        }
      }

      return ranges;
    },
  };
}

/** Replaces each [start, end) range (in order, not overlapping) with `replacement`. */
export function replaceRanges(text: string, ranges: [number, number][], replacement: string) {
  if (!ranges.length) return text;
  let result = "";
  let from = 0;
  for (const [start, end] of ranges) {
    result += text.slice(from, start) + replacement;
    from = end;
  }

  return result + text.slice(from);
}
