// Questionnaire: the instruments of the catalog (lib/fhir/questionnaires.json), the same for
// every view: they describe questions, not patients.
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import { invalidSearch } from "@/lib/fhir/api/search-parameters";
import { QUESTIONNAIRES } from "@/lib/fhir/questionnaire-catalog";
import { buildQuestionnaireResource } from "@/lib/fhir/serialize/directory-resources";

const PARAMS = new Set(["_id", "url", "name", "title"]);
const CONTROL = new Set(["_count", "_format", "_elements", "_sort", "_summary", "_cursor", "_total", "_pretty"]);

export function readQuestionnaire(id: string, view: TFhirView) {
  const questionnaire = QUESTIONNAIRES.find((candidate) => candidate.key === id);

  return questionnaire ? buildQuestionnaireResource(questionnaire, view.isMasked ? { security: view.meta(new Date()).security } : null) : null;
}

export function searchQuestionnaires(query: URLSearchParams, isStrict: boolean, view: TFhirView) {
  let found = [...QUESTIONNAIRES];
  for (const [name, value] of query) {
    if (CONTROL.has(name)) continue;
    if (!PARAMS.has(name)) {
      if (isStrict) throw invalidSearch(name, "is not a supported search parameter of this type");
      continue;
    }
    const values = value.split(",");
    found = found.filter((questionnaire) => {
      if (name === "_id") return values.includes(questionnaire.key);
      if (name === "url") return values.some((url) => questionnaire.canonical === url.split("|")[0] || questionnaire.aliases.includes(url.split("|")[0]!));
      const text = name === "name" ? questionnaire.key : questionnaire.title;
      return values.some((prefix) => text.toLowerCase().startsWith(prefix.toLowerCase()));
    });
  }

  return found.map((questionnaire) => readQuestionnaire(questionnaire.key, view)!);
}
