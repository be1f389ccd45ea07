// Everyday English words: SCOWL sizes 10 and 20 (the ~11,000 most common; common-words.COPYRIGHT),
// lower-case entries only, so proper nouns such as "Mary" are not among them.
//
// The release scan searches a patient's name words one by one only when they are not everyday words:
// a patient called Will, May or Major would otherwise refuse every file holding "will attend" or
// "Major depressive disorder". Such names are still searched as the full name ("Will Major",
// "Major, Will"), and the scrubbers remove a patient's own names from their text whatever the word.
import words from "@/lib/anonymize/common-words.json";

const COMMON_WORDS: ReadonlySet<string> = new Set(words);

/** `word` in lower case. */
export const isCommonWord = (word: string) => COMMON_WORDS.has(word);
