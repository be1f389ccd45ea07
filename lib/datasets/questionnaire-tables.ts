// One wide table per questionnaire: a row per response, a column per question. The linkId ->
// column mapping and per-item policies are data, in lib/fhir/questionnaires.json.
import { isColumnPolicy, MixedAnswers, type TColumnPolicy } from "@/lib/anonymize/profiles";
import type { TClinicalTable } from "@/lib/datasets/clinical-tables";
import type { TDatasetColumn, TRow } from "@/lib/datasets/dataset-types";
import { QUESTIONNAIRES, type TQuestionnaire } from "@/lib/fhir/questionnaire-catalog";

/** Column names that look identifying are redacted unless the metadata gives them a policy. */
export const IDENTIFYING_COLUMN_NAME = /name|phone|fax|email|e_mail|address|street|birth|dob|ssn|social_security|medicaid|mrn|member_id|insurance_id|zip|postal/i;

type TAnswer = { valueInteger?: number; valueDecimal?: number; valueString?: string; valueBoolean?: boolean; valueDate?: string; valueDateTime?: string; valueCoding?: { code?: string; display?: string }; item?: TItem[] };
type TItem = { linkId?: string; answer?: TAnswer[]; item?: TItem[] };

/** Whether the patient wrote the answer rather than picked it: their own words are free text, whatever the item's type. */
function isWrittenAnswer(answer: TAnswer) {
  if (answer.valueInteger !== undefined || answer.valueDecimal !== undefined || answer.valueBoolean !== undefined) return false;
  if (answer.valueString !== undefined || answer.valueDate !== undefined || answer.valueDateTime !== undefined) return true;

  return answer.valueCoding?.code === undefined;
}

/**
 * linkId -> answers, from items nested at any depth (under items and under answers). `written`
 * gets, for each linkId with any written answer, which of its answers were written.
 */
export function answersByLinkId(items: unknown, into = new Map<string, unknown[]>(), written = new Map<string, boolean[]>()): Map<string, unknown[]> {
  if (!Array.isArray(items)) return into;
  for (const item of items as TItem[]) {
    if (!item || typeof item !== "object") continue;
    for (const answer of item.answer ?? []) {
      const value = answer.valueInteger ?? answer.valueDecimal ?? answer.valueBoolean ?? answer.valueString ?? answer.valueDate ?? answer.valueDateTime ?? answer.valueCoding?.code ?? answer.valueCoding?.display;
      if (item.linkId && value !== undefined) {
        const values = into.get(item.linkId);
        const earlier = values?.length ?? 0;
        if (values) values.push(value);
        else into.set(item.linkId, [value]);
        // Marks are kept only where something was written: most responses have none.
        const isWritten = isWrittenAnswer(answer);
        const marks = written.get(item.linkId);
        if (marks) marks.push(isWritten);
        else if (isWritten) written.set(item.linkId, [...new Array<boolean>(earlier).fill(false), true]);
      }
      if (answer.item) answersByLinkId(answer.item, into, written);
    }
    if (item.item) answersByLinkId(item.item, into, written);
  }

  return into;
}

export function itemPolicy(item: TQuestionnaire["items"][number]): TColumnPolicy | undefined {
  if (item.anonPolicy !== undefined) return isColumnPolicy(item.anonPolicy) ? item.anonPolicy : undefined;
  if (IDENTIFYING_COLUMN_NAME.test(item.column)) return "redact";
  switch (item.type) {
    // Answers to these are read from valueString too ("other, please say"): written ones are scrubbed.
    case "integer":
    case "decimal":
    case "boolean":
    case "choice":
      return "coded_answer";
    case "date":
      return "patient_date";
    case "string":
    case "text":
      return "free_text";
    case "group":
      return undefined;
  }
}

/** The response's place among the patient's responses to the same instrument, by time answered. */
export const SESSION_ORDINAL = { as: "sessionOrdinal", partitionBy: ["patientId", "questionnaire"] };
export const SESSION_ORDINAL_COLUMN: TDatasetColumn = {
  name: "session_ordinal",
  description: "1 for the patient's first response to this instrument, 2 for the second, ... (by time answered, counting every stored response, also those before `since`): tells baseline from follow-up when dates are years only.",
  policy: "keep",
  value: (row) => row.sessionOrdinal,
};

export const questionnaireTableName = (key: string, tier: "anon" | "pii") => `qr_${key.toLowerCase().replace(/[^a-z0-9]/g, "")}_${tier}`;

// Answers are parsed once per row, not once per column: the columns of a row are written one
// after another, so the last row's answers are all there is to keep. (A WeakMap of every row
// kept each row's answers until a full GC: measured at 300,000 rows, peak heap 116 -> 83 MB.)
let lastRow: TRow | null = null;
let lastAnswers = new Map<string, unknown[]>();
let lastWritten = new Map<string, boolean[]>();
function answerOf(row: TRow, linkId: string) {
  if (row !== lastRow) {
    lastWritten = new Map();
    lastAnswers = answersByLinkId(row.items, new Map(), lastWritten);
    lastRow = row;
  }
  const answers = lastAnswers;
  const values = answers.get(linkId);
  if (!values?.length) return null;

  return values.length === 1 ? values[0] : values.map(String).join("; ");
}

/**
 * A total score answered in the response: a number, or nothing. The column is kept as it is, so
 * anything written there instead ("see note", a name) would leave unscrubbed.
 */
function scoreAnswerOf(row: TRow, linkId: string) {
  const answer = answerOf(row, linkId);

  return typeof answer === "number" || (typeof answer === "string" && /^\s*-?\d+(?:\.\d+)?\s*$/.test(answer)) ? answer : null;
}

/** For the coded_answer policy: as answerOf, but answers with any written part say which parts were written. */
function codedAnswerOf(row: TRow, linkId: string) {
  const answer = answerOf(row, linkId);
  const marks = lastWritten.get(linkId);
  if (!marks) return answer;
  const values = lastAnswers.get(linkId)!;

  return new MixedAnswers(values.map((value, index) => ({ value: value as string | number | boolean, isWritten: marks[index]! })));
}

function questionnaireTable(questionnaire: TQuestionnaire): TClinicalTable {
  const fixed: TDatasetColumn[] = [
    { name: "response_id", description: "Response pseudonym.", policy: "pseudonymize:response", value: (row) => row.id },
    { name: "patient_id", description: "Patient pseudonym.", policy: "pseudonymize:patient", value: (row) => row.patientId },
    { name: "encounter_id", description: "Encounter pseudonym.", policy: "pseudonymize:encounter", value: (row) => row.encounterId },
    { name: "practitioner_id", description: "Practitioner pseudonym.", policy: "pseudonymize:practitioner", value: (row) => row.practitionerId },
    { name: "status", description: "Response status.", policy: "keep", value: (row) => row.status },
    { name: "authored_date", piiName: "authored_at", description: "When answered (year or shifted).", policy: "patient_date", value: (row) => row.authoredAt },
    SESSION_ORDINAL_COLUMN,
  ];
  const taken = new Set(fixed.map((column) => column.name));
  if (questionnaire.scoring) taken.add("total_score").add("severity");
  const itemColumns: TDatasetColumn[] = questionnaire.items
    .filter((item) => item.type !== "group" && !taken.has(item.column))
    .map((item) => {
      const policy = itemPolicy(item);
      const answerOfItem = policy === "coded_answer" ? codedAnswerOf : answerOf;
      return { name: item.column, description: item.text, policy, value: (row: TRow) => answerOfItem(row, item.linkId) };
    });
  const scoreColumns: TDatasetColumn[] = questionnaire.scoring
    ? [
        { name: "total_score", description: `Total score (${questionnaire.scoring.min}-${questionnaire.scoring.max}).`, policy: "keep", value: (row) => row.totalScore ?? scoreAnswerOf(row, questionnaire.scoring!.totalLinkId) },
        { name: "severity", description: `Severity band: ${questionnaire.scoring.bands.map((band) => `${band.min}-${band.max} ${band.label}`).join(", ")}.`, policy: "keep", value: (row) => row.severity },
      ]
    : [];

  return {
    anonName: questionnaireTableName(questionnaire.key, "anon"),
    piiName: questionnaireTableName(questionnaire.key, "pii"),
    description: `${questionnaire.title}: one row per response, one column per question.`,
    table: {
      model: "QuestionnaireResponse",
      // Ordered by (authoredAt, id): the (questionnaire, authoredAt) index serves it.
      sql: {
        table: "QuestionnaireResponse",
        orderByDate: "authoredAt",
        sinceField: "authoredAt",
        equals: { questionnaire: questionnaire.key },
        ordinal: SESSION_ORDINAL,
        fields: { patientId: "text", encounterId: "text", practitionerId: "text", status: "text", authoredAt: "date", totalScore: "number", severity: "text", items: "json" },
      },
      count: (db, since) => db.questionnaireResponse.count({ where: { questionnaire: questionnaire.key, ...(since ? { authoredAt: { gte: since } } : {}) } }),
      patientIdOf: (row) => row.patientId as string,
    },
    columns: [...fixed, ...itemColumns, ...scoreColumns],
  };
}

export const QUESTIONNAIRE_TABLES: TClinicalTable[] = QUESTIONNAIRES.map(questionnaireTable);
