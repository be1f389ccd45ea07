// _format=csv: a search page as the matching dataset table writes it, one row per resource, the
// same columns and policies (identified callers get the identified tier's columns), through the
// one CSV writer (quoting, formula guard).
import { applyPolicy, toCellText } from "@/lib/anonymize/profiles";
import { csvLine } from "@/lib/csv/csv";
import { CLINICAL_TABLES } from "@/lib/datasets/clinical-tables";
import { exportableColumns } from "@/lib/datasets/dataset-types";
import { QUESTIONNAIRE_TABLES, questionnaireTableName } from "@/lib/datasets/questionnaire-tables";
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import type { TSearchRequest } from "@/lib/fhir/api/parse-search-request";
import { invalidSearch } from "@/lib/fhir/api/search-parameters";
import type { TRow } from "@/lib/fhir/api/search-resources";

/** FHIR type -> the dataset table (by its anon name) whose rows it becomes, and the model read. */
const CSV_TABLES: Record<string, { anonName: string; model: string }> = {
  Patient: { anonName: "patient_anon", model: "patient" },
  Encounter: { anonName: "encounters", model: "encounter" },
  Observation: { anonName: "observations", model: "observation" },
  Condition: { anonName: "conditions", model: "condition" },
  CarePlan: { anonName: "care_plans", model: "carePlan" },
  Practitioner: { anonName: "practitioners", model: "practitioner" },
  Organization: { anonName: "organizations", model: "organization" },
  Location: { anonName: "locations", model: "location" },
};

/** The dataset table a CSV search of this type writes (QuestionnaireResponse: one questionnaire's table). */
export function csvTableFor(resourceType: string, request: TSearchRequest) {
  if (resourceType === "QuestionnaireResponse") {
    const values = request.filters.filter((filter) => filter.name === "questionnaire").flatMap((filter) => filter.value.split(","));
    const key = values.length === 1 ? values[0]!.split("|")[0]!.split("/").filter(Boolean).pop()!.toLowerCase() : null;
    const table = key ? QUESTIONNAIRE_TABLES.find((candidate) => candidate.anonName === questionnaireTableName(key, "anon")) : null;
    if (!table) throw invalidSearch("questionnaire", "a CSV of responses is one questionnaire's table: give exactly one questionnaire the catalog knows");
    return { table, model: "questionnaireResponse" };
  }
  const entry = CSV_TABLES[resourceType];
  const table = entry ? CLINICAL_TABLES.find((candidate) => candidate.anonName === entry.anonName) : null;
  if (!entry || !table) throw invalidSearch("_format", `${resourceType} has no dataset table, so no CSV form`);

  return { table, model: entry.model };
}

export function writeSearchCsv(table: ReturnType<typeof csvTableFor>["table"], rows: TRow[], view: TFhirView): string {
  const columns = exportableColumns({ columns: table.columns, tier: view.isMasked ? "anon" : "pii" });
  const lines = [csvLine(columns.map((column) => column.header))];
  for (const row of rows) {
    const context = view.policyContext(table.table.patientIdOf(row));
    lines.push(csvLine(columns.map((column) => (context ? applyPolicy(column.policy, column.value(row), context) : toCellText(column.value(row))))));
  }

  return lines.join("");
}
