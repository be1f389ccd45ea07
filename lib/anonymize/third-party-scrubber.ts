// Third-party scrubbing for the therapist's reports (identified documents about one patient): the
// patient's own name stays, and other people's e-mail addresses, phone numbers, the emergency
// contact's name and names written as mentions go. The same patterns and name matching as the
// dataset scrubber (scrub-text.ts, patterns.ts, phrase-matcher.ts): one scrubber, two replacements.
import { EMAIL_PATTERN, PHONE_PATTERN } from "@/lib/anonymize/patterns";
import { createPhraseMatcher, replaceRanges } from "@/lib/anonymize/phrase-matcher";

/** Words after which a capitalised word is taken for a person's name ("sister Jordan", "neighbour Pat Quill"). */
const RELATION_WORDS = [
  "mother", "mom", "mum", "father", "dad", "sister", "brother", "wife", "husband", "partner", "spouse", "girlfriend", "boyfriend", "fiance", "fiancee",
  "son", "daughter", "child", "grandmother", "grandfather", "grandma", "grandpa", "aunt", "uncle", "cousin", "niece", "nephew", "stepmother", "stepfather",
  "friend", "neighbor", "neighbour", "roommate", "flatmate", "boss", "manager", "coworker", "co-worker", "colleague", "teacher", "classmate", "ex",
];
/** Labels a note puts before a name ("Name: Jane Doe", "Emergency contact: ..."). */
const NAME_LABELS = ["name", "contact", "emergency contact", "guardian", "caregiver", "informant", "collateral", "referred by", "spoke with"];
/** Capitalised words that follow those words without being names. */
const NOT_NAMES = new Set(["I", "He", "She", "They", "We", "You", "The", "A", "An", "And", "But", "Or", "So", "Then", "This", "That", "Is", "Was", "Has", "Had", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]);

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** "sister" -> "[Ss]ister": the trigger word in either case, while the name after it must be capitalised. */
const eitherCase = (word: string) => `[${word[0]!.toUpperCase()}${word[0]}]${escapeRe(word.slice(1))}`;
const NAME_WORDS = "[A-Z][A-Za-z'-]+(?:\\s+[A-Z][A-Za-z'-]+){0,2}";
const MENTION_RE = new RegExp(
  `\\b(${RELATION_WORDS.map(eitherCase).join("|")})(\\s+)(${NAME_WORDS})|\\b(${NAME_LABELS.map((label) => label.split(" ").map(eitherCase).join("\\s+")).join("|")})(\\s*:\\s*)(${NAME_WORDS})`,
  "g",
);

/**
 * Replaces, in note text: email addresses, phone numbers, the patient's emergency contact's name,
 * and names given as mentions: after a label ("Name: Jane Doe", "Contact: ...") or a relationship
 * word ("sister Jordan", "neighbour Pat Quill"). A heuristic, not a guarantee: a name written any
 * other way ("met Jane for lunch") is not detected, so the clinician still reviews the document.
 * The patient's own name stays: the document is about them.
 */
export function thirdPartyScrubber(patient: { emergencyContactName: string | null; givenName?: string; familyName?: string; preferredName?: string | null }) {
  // The contact's name words, matched as the dataset scrubber matches names (any case, punctuation, hyphenation).
  const contactName = createPhraseMatcher((patient.emergencyContactName ?? "").split(/\s+/).filter((part) => part.length > 2));
  const ownNames = new Set([patient.givenName, patient.familyName, patient.preferredName].filter((name): name is string => Boolean(name)));
  // Keeps the trigger word (and a name that is the patient's own, or not a name at all).
  const replaceMention = (match: string, relation?: string, relationGap?: string, relationName?: string, label?: string, labelGap?: string, labelName?: string) => {
    const [trigger, gap, name] = relation ? [relation, relationGap!, relationName!] : [label!, labelGap!, labelName!];
    const words = name.split(/\s+/);
    if (words.every((word) => ownNames.has(word)) || NOT_NAMES.has(words[0]!)) return match;

    return `${trigger}${gap}[name removed]`;
  };

  return (text: string | null) => {
    if (text === null) return null;
    let out = text.replace(EMAIL_PATTERN, "[email removed]").replace(PHONE_PATTERN, "[phone removed]");
    if (contactName.size) out = replaceRanges(out, contactName.find(out), "[name removed]");

    return out.replace(MENTION_RE, replaceMention);
  };
}
