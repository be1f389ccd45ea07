// Typed access to questionnaires.json (the instrument metadata), plus the two things the
// importer derives from it: the short key of a canonical URL, and a response's score/band.
import { z } from "zod";

import data from "@/lib/fhir/questionnaires.json";

const ZQuestionnaireItem = z.object({
  linkId: z.string(),
  /** snake_case column name in qr_<key>_anon wide tables. */
  column: z.string().regex(/^[a-z][a-z0-9_]*$/),
  text: z.string(),
  type: z.enum(["integer", "decimal", "string", "text", "boolean", "choice", "date", "group"]),
  /** The anon-tier column policy (lib/anonymize), when the type alone would not be right. */
  anonPolicy: z.string().optional(),
});

const ZQuestionnaire = z.object({
  key: z.string(),
  title: z.string(),
  canonical: z.string(),
  aliases: z.array(z.string()),
  loinc: z.string().optional(),
  /** LOINC code of the total score as an Observation. */
  totalLoinc: z.string().optional(),
  items: z.array(ZQuestionnaireItem),
  scoring: z
    .object({
      method: z.literal("sum"),
      items: z.array(z.string()),
      totalLinkId: z.string(),
      min: z.number(),
      max: z.number(),
      bands: z.array(z.object({ min: z.number(), max: z.number(), label: z.string() })),
    })
    .optional(),
});
export type TQuestionnaire = z.infer<typeof ZQuestionnaire>;

// Parsed once at load: a malformed data file fails loudly at start-up, not mid-import.
export const QUESTIONNAIRES: readonly TQuestionnaire[] = z.array(ZQuestionnaire).parse(data.questionnaires);

export function getQuestionnaire(key: string) {
  return QUESTIONNAIRES.find((questionnaire) => questionnaire.key === key);
}

/**
 * "https://careexport.example/fhir/Questionnaire/phq-9|1.0" -> "phq-9". Unknown canonicals
 * keep their last path segment, lower-cased, so other instruments still import.
 */
export function questionnaireKeyFor(canonical: string) {
  const url = canonical.split("|")[0]!;
  const known = QUESTIONNAIRES.find((questionnaire) => questionnaire.canonical === url || questionnaire.aliases.includes(url));
  if (known) return known.key;
  const slug = url.split(/[/#]/).filter(Boolean).pop() ?? url;

  return slug.toLowerCase().slice(0, 64);
}

type TAnswer = { valueInteger?: number; valueDecimal?: number; valueCoding?: { code?: string } };
type TItem = { linkId: string; answer?: TAnswer[]; item?: TItem[] };

function flatten(items: TItem[], into = new Map<string, TItem>()) {
  for (const item of items) {
    into.set(item.linkId, item);
    if (item.item) flatten(item.item, into);
  }

  return into;
}

function numericAnswer(item: TItem | undefined): number | null {
  const answer = item?.answer?.[0];
  if (!answer) return null;
  if (typeof answer.valueInteger === "number") return answer.valueInteger;
  if (typeof answer.valueDecimal === "number") return answer.valueDecimal;
  const code = answer.valueCoding?.code;
  if (code !== undefined && /^-?\d+(\.\d+)?$/.test(code)) return Number(code);

  return null;
}

export function severityFor(questionnaire: TQuestionnaire | undefined, score: number | null) {
  if (score === null || !questionnaire?.scoring) return null;

  return questionnaire.scoring.bands.find((band) => score >= band.min && score <= band.max)?.label ?? null;
}

/**
 * The total score: an item with linkId "total" wins (the sender scored it); otherwise the sum
 * of the scored items, but only when every one was answered: a partial sum would understate
 * severity and land in the wrong band.
 */
export function scoreResponse(key: string, items: TItem[]) {
  const questionnaire = getQuestionnaire(key);
  const byLinkId = flatten(items);
  let total = numericAnswer(byLinkId.get(questionnaire?.scoring?.totalLinkId ?? "total"));
  if (total === null && questionnaire?.scoring) {
    const values = questionnaire.scoring.items.map((linkId) => numericAnswer(byLinkId.get(linkId)));
    total = values.every((value) => value !== null) ? values.reduce<number>((sum, value) => sum + value!, 0) : null;
  }

  return { totalScore: total, severity: severityFor(questionnaire, total) };
}
