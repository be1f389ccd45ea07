// qr_answers_long: every answer of every questionnaire response, one row per answer, nested items
// flattened with their path. Nothing is dropped: instruments that lib/fhir/questionnaires.json does
// not know, and items of known ones it does not list, are here too (the wide qr_<key> tables keep
// only catalogued items). Each value carries the treatment its item calls for in the anon tier
// (the `item_answer` policy): catalogued items follow their wide-table policy; other items are
// redacted when their linkId or text looks identifying, else what was picked (a code, a number,
// yes/no) is kept and what was written is scrubbed as free text.
import { AnswerCell, type TAnswerTreatment } from "@/lib/anonymize/profiles";
import type { TClinicalTable } from "@/lib/datasets/clinical-tables";
import type { TDatasetColumn, TRow, TSqlSource } from "@/lib/datasets/dataset-types";
import { IDENTIFYING_COLUMN_NAME, itemPolicy, questionnaireTableName, SESSION_ORDINAL, SESSION_ORDINAL_COLUMN } from "@/lib/datasets/questionnaire-tables";
import { readSqlBatches } from "@/lib/datasets/sql-source";
import { QUESTIONNAIRES, type TQuestionnaire } from "@/lib/fhir/questionnaire-catalog";

type TCoding = { system?: unknown; code?: unknown; display?: unknown };
type TAnswer = Record<string, unknown> & { item?: TItem[] };
type TItem = { linkId?: unknown; text?: unknown; answer?: TAnswer[]; item?: TItem[] };

/** How an item's answers are treated, from the catalog or, for items it does not list, from their look. */
type TItemRule = "catalog-keep" | "catalog-date" | "catalog-written" | "coded" | "redact";

const SOURCE: TSqlSource = {
  table: "QuestionnaireResponse",
  orderByDate: "authoredAt",
  sinceField: "authoredAt",
  ordinal: SESSION_ORDINAL,
  fields: { patientId: "text", encounterId: "text", practitionerId: "text", questionnaire: "text", questionnaireUrl: "text", status: "text", authoredAt: "date", items: "json" },
};

const catalogItems = new Map(QUESTIONNAIRES.map((questionnaire) => [questionnaire.key, new Map(questionnaire.items.map((item) => [item.linkId, item]))]));

function catalogRule(item: TQuestionnaire["items"][number]): TItemRule {
  switch (itemPolicy(item)) {
    case "keep":
      return "catalog-keep";
    case "coded_answer":
      return "coded";
    case "patient_date":
      return "catalog-date";
    case "free_text":
      return "catalog-written";
    // redact, an identifying-looking column, a group, or a policy the exporter does not know.
    default:
      return "redact";
  }
}

const asText = (value: unknown) => (typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : null);

/** One answer -> its type (the value[x] suffix) and the cells it fills, each with its treatment. */
function answerCells(answer: TAnswer, rule: TItemRule): { type: string; cells: Partial<Record<TValueField, AnswerCell>> } {
  const valueKey = Object.keys(answer).find((key) => key.startsWith("value"));
  const type = valueKey ? valueKey.slice("value".length).replace(/^./, (first) => first.toLowerCase()) : "";
  const raw = valueKey ? answer[valueKey] : undefined;
  const cell = (value: unknown, treatment: TAnswerTreatment) => {
    const text = typeof value === "number" || typeof value === "boolean" ? value : asText(value);
    return text === null || text === "" ? undefined : new AnswerCell(text, rule === "redact" ? "redact" : rule === "catalog-keep" ? "keep" : treatment);
  };
  const written: TAnswerTreatment = "written";
  switch (type) {
    case "boolean":
      return { type, cells: { boolean: cell(raw, "keep") } };
    case "integer":
    case "decimal":
      return { type, cells: { number: cell(raw, "keep") } };
    case "date":
    case "dateTime":
      return { type, cells: { date: cell(raw, "date") } };
    case "coding": {
      const coding = (raw ?? {}) as TCoding;
      // A coding with no code is what someone wrote: its display is free text.
      if (asText(coding.code) === null) return { type, cells: { text: cell(coding.display, written) } };
      return { type, cells: { system: cell(coding.system, "keep"), code: cell(coding.code, "keep"), display: cell(coding.display, "keep") } };
    }
    case "quantity": {
      const quantity = (raw ?? {}) as { value?: unknown; unit?: unknown; code?: unknown; system?: unknown };
      return { type, cells: { number: cell(quantity.value, "keep"), unit: cell(quantity.unit ?? quantity.code, "keep"), system: cell(quantity.system, "keep") } };
    }
    case "string":
    case "uri":
    case "time":
      return { type, cells: { text: cell(raw, rule === "catalog-date" ? "date" : written) } };
    // References and attachments point at other records or hold files: identified tier only.
    default:
      return { type: type || "unknown", cells: { text: raw === undefined ? undefined : new AnswerCell(JSON.stringify(raw), "redact") } };
  }
}

type TValueField = "system" | "code" | "display" | "number" | "unit" | "boolean" | "date" | "text";

/** Every answer of one response as long rows (internal ids; the columns pseudonymize them). */
export function flattenResponse(response: TRow): TRow[] {
  const rows: TRow[] = [];
  const known = catalogItems.get(String(response.questionnaire));
  const walk = (items: unknown, parentPath: string) => {
    if (!Array.isArray(items)) return;
    for (const item of items as TItem[]) {
      if (!item || typeof item !== "object") continue;
      const linkId = asText(item.linkId) ?? "";
      const path = parentPath ? `${parentPath}/${linkId}` : linkId;
      const catalogItem = known?.get(linkId);
      const written = asText(item.text);
      const rule: TItemRule = catalogItem ? catalogRule(catalogItem) : IDENTIFYING_COLUMN_NAME.test(linkId) || (written !== null && IDENTIFYING_COLUMN_NAME.test(written)) ? "redact" : "coded";
      // The catalog's text is ours; a text that came with the response is scrubbed like an answer.
      const itemText = catalogItem ? new AnswerCell(catalogItem.text, "keep") : written ? new AnswerCell(written, rule === "redact" ? "redact" : "written") : null;
      (item.answer ?? []).forEach((answer, answerIndex) => {
        if (!answer || typeof answer !== "object") return;
        const { type, cells } = answerCells(answer, rule);
        rows.push({
          ...response,
          id: `${response.id}/${rows.length}`,
          responseId: response.id,
          items: undefined,
          linkId,
          itemPath: path,
          itemText,
          answerIndex: answerIndex + 1,
          answerType: type,
          inCatalog: Boolean(catalogItem),
          ...Object.fromEntries(Object.entries(cells).map(([field, value]) => [`value_${field}`, value ?? null])),
        });
        if (answer.item) walk(answer.item, path);
      });
      if (item.item) walk(item.item, path);
    }
  };
  walk(response.items, "");

  return rows;
}

const col = (name: string, field: string, policy: TDatasetColumn["policy"], description: string, piiName?: string): TDatasetColumn => ({
  name,
  description,
  policy,
  value: (row) => row[field] ?? null,
  ...(piiName ? { piiName } : {}),
});

export const QR_ANSWERS_LONG_TABLE: TClinicalTable = {
  anonName: "qr_answers_long",
  piiName: "qr_answers_long",
  description:
    "Every answer of every questionnaire response, one row per answer, nested items flattened with their path: every instrument (also those without a wide qr_<key> table) and every item (also those the catalog does not list).",
  table: {
    model: "QuestionnaireResponse",
    // Rows per response vary: not known before reading.
    count: async () => null,
    patientIdOf: (row) => (row.patientId as string | null) ?? null,
    async *batches({ limit, since }) {
      const pending: TRow[] = [];
      for await (const responses of readSqlBatches(SOURCE, since, limit)) {
        for (const response of responses) pending.push(...flattenResponse(response));
        while (pending.length >= limit) yield pending.splice(0, limit);
      }
      if (pending.length) yield pending.splice(0);
    },
  },
  columns: [
    col("response_id", "responseId", "pseudonymize:response", "Response pseudonym (the same as response_id of the wide qr_<key> tables)."),
    col("patient_id", "patientId", "pseudonymize:patient", "Patient pseudonym."),
    col("encounter_id", "encounterId", "pseudonymize:encounter", "Encounter pseudonym."),
    col("questionnaire", "questionnaire", "keep", "Instrument key, e.g. phq-9 (for instruments the catalog does not know: the last segment of their canonical URL)."),
    col("questionnaire_canonical", "questionnaireUrl", "keep", "The questionnaire canonical URL the response named (empty for rows imported before it was kept)."),
    { name: "has_wide_table", description: "true when the instrument also has a wide qr_<key> table.", policy: "keep", value: (row) => catalogItems.has(String(row.questionnaire)) },
    col("status", "status", "keep", "Response status."),
    col("authored_date", "authoredAt", "patient_date", "When answered (year or shifted).", "authored_at"),
    SESSION_ORDINAL_COLUMN,
    col("link_id", "linkId", "keep", "The item's linkId."),
    col("item_path", "itemPath", "keep", "The linkIds from the top-level item down to this one, joined by /."),
    col("item_text", "itemText", "item_answer", "The question: the catalog's text, else the text the response carried (scrubbed as free text; redacted where the item is)."),
    { name: "in_catalog", description: "true when lib/fhir/questionnaires.json lists the item (its answers are also in the wide table).", policy: "keep", value: (row) => row.inCatalog },
    col("answer_index", "answerIndex", "keep", "1 for the item's first answer, 2 for the second, ... (repeating items)."),
    col("answer_type", "answerType", "keep", "The FHIR answer type: boolean, integer, decimal, date, dateTime, time, string, uri, coding, quantity, reference, attachment."),
    col("value_system", "value_system", "item_answer", "Coding or quantity system."),
    col("value_code", "value_code", "item_answer", "Coding code."),
    col("value_display", "value_display", "item_answer", "Coding display."),
    col("value_number", "value_number", "item_answer", "Integer, decimal or quantity value."),
    col("value_unit", "value_unit", "item_answer", "Quantity unit."),
    col("value_boolean", "value_boolean", "item_answer", "true / false."),
    col("value_date", "value_date", "item_answer", "Date or dateTime answer (year or shifted, as every patient date)."),
    col("value_text", "value_text", "item_answer", "What was written (string, uri, time; a coding with no code): scrubbed as free text. References and attachments: redacted."),
  ],
};

/** What the catalog says about questionnaires: the instruments with wide tables, and that every answer is in the long one. */
export function questionnaireCoverage() {
  return {
    wide_tables: QUESTIONNAIRES.map((questionnaire) => ({ questionnaire: questionnaire.key, title: questionnaire.title, anon: questionnaireTableName(questionnaire.key, "anon"), pii: questionnaireTableName(questionnaire.key, "pii") })),
    long_table: QR_ANSWERS_LONG_TABLE.anonName,
    note: "Wide tables hold the items the questionnaire catalog lists, one column each. Every answer of every response (every instrument, every item, nested items with their path) is in qr_answers_long.",
  };
}
