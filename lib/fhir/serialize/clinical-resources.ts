// Encounter, Condition, Observation, QuestionnaireResponse and the session note's
// DocumentReference: one mapping each, shared by the report writer and the API. Inputs are
// plain values (ids, references, dates) the caller has already chosen for its view.
import { CODE_SYSTEMS, EXTENSIONS, SESSION_NOTE_LOINC } from "@/lib/fhir/fhir-conventions";
import { compact, isFhirDate, present, type TMeta, type TReference } from "@/lib/fhir/serialize/fhir-values";
import { encodeSessionNote, type TSessionNoteContent } from "@/lib/fhir/session-note-content";

export type TEncounterInput = {
  id: string;
  meta?: TMeta | null;
  status: string;
  deliveryFormat?: string | null;
  cptCode?: string | null;
  cptDisplay?: string | null;
  units?: number | null;
  subject: TReference;
  participant?: TReference | null;
  start: string;
  end?: string | null;
  reasonText?: string | null;
  serviceProvider?: TReference | null;
  location?: TReference | null;
};

const ENCOUNTER_STATUS = new Set(["planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown"]);

export function buildEncounterResource(input: TEncounterInput) {
  return compact({
    resourceType: "Encounter",
    id: input.id,
    meta: input.meta,
    status: ENCOUNTER_STATUS.has(input.status) ? input.status : "unknown",
    class: input.deliveryFormat === "telehealth" ? { system: CODE_SYSTEMS.actCode, code: "VR", display: "virtual" } : { system: CODE_SYSTEMS.actCode, code: "AMB", display: "ambulatory" },
    type: input.cptCode ? [{ coding: [compact({ system: CODE_SYSTEMS.cpt, code: input.cptCode, display: input.cptDisplay })] }] : [],
    subject: input.subject,
    // The clinician who saw the patient, not whoever ran the export.
    participant: input.participant ? [{ individual: input.participant }] : [],
    period: compact({ start: input.start, end: input.end }),
    extension: present([
      input.deliveryFormat ? { url: EXTENSIONS.deliveryFormat, valueCode: input.deliveryFormat } : null,
      input.units !== null && input.units !== undefined ? { url: EXTENSIONS.units, valueInteger: input.units } : null,
    ]),
    reasonCode: input.reasonText ? [{ text: input.reasonText }] : [],
    location: input.location ? [{ location: input.location }] : [],
    serviceProvider: input.serviceProvider,
  });
}

export type TConditionInput = {
  id: string;
  meta?: TMeta | null;
  clinicalStatus?: string | null;
  code?: string | null;
  display: string;
  subject: TReference;
  onset?: string | null;
  recorded?: string | null;
};

export function buildConditionResource(input: TConditionInput) {
  return compact({
    resourceType: "Condition",
    id: input.id,
    meta: input.meta,
    clinicalStatus: input.clinicalStatus ? { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: input.clinicalStatus }] } : null,
    code: compact({ coding: input.code ? [{ system: CODE_SYSTEMS.icd10cm, code: input.code, display: input.display }] : [], text: input.display }),
    subject: input.subject,
    onsetDateTime: isFhirDate(input.onset) ? input.onset : null,
    recordedDate: isFhirDate(input.recorded) ? input.recorded : null,
  });
}

export type TObservationInput = {
  id: string;
  meta?: TMeta | null;
  status?: string | null;
  category?: string | null;
  code?: string | null;
  display: string;
  subject: TReference;
  encounter?: TReference | null;
  effective?: string | null;
  valueNumber?: number | null;
  unit?: string | null;
  valueString?: string | null;
};

const OBSERVATION_STATUS = new Set(["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"]);

export function buildObservationResource(input: TObservationInput) {
  return compact({
    resourceType: "Observation",
    id: input.id,
    meta: input.meta,
    status: input.status && OBSERVATION_STATUS.has(input.status) ? input.status : "final",
    category: input.category ? [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: input.category }] }] : [],
    code: compact({ coding: input.code ? [{ system: CODE_SYSTEMS.loinc, code: input.code, display: input.display }] : [], text: input.display }),
    subject: input.subject,
    encounter: input.encounter,
    effectiveDateTime: input.effective && (isFhirDate(input.effective) || /^\d{4}-\d{2}-\d{2}T/.test(input.effective)) ? input.effective : null,
    valueQuantity: input.valueNumber !== null && input.valueNumber !== undefined ? compact({ value: input.valueNumber, unit: input.unit }) : null,
    valueString: input.valueNumber === null || input.valueNumber === undefined ? input.valueString : null,
  });
}

export type TQuestionnaireResponseInput = {
  id: string;
  meta?: TMeta | null;
  questionnaire: string;
  status?: string | null;
  subject: TReference;
  encounter?: TReference | null;
  author?: TReference | null;
  authored: string;
  item: unknown[];
};

const RESPONSE_STATUS = new Set(["in-progress", "completed", "amended", "entered-in-error", "stopped"]);

export function buildQuestionnaireResponseResource(input: TQuestionnaireResponseInput) {
  return compact({
    resourceType: "QuestionnaireResponse",
    id: input.id,
    meta: input.meta,
    questionnaire: input.questionnaire,
    status: input.status && RESPONSE_STATUS.has(input.status) ? input.status : "completed",
    subject: input.subject,
    encounter: input.encounter,
    authored: input.authored,
    author: input.author,
    item: input.item,
  });
}

export type TSessionNoteInput = {
  id: string;
  meta?: TMeta | null;
  /** The row's status: a DocumentReference docStatus (final, preliminary...) or a status. */
  docStatus?: string | null;
  subject: TReference;
  date?: string | null;
  author?: TReference | null;
  encounter?: TReference | null;
  content: TSessionNoteContent;
};

const DOC_STATUS = new Set(["preliminary", "final", "amended", "entered-in-error"]);

/** A session note as a DocumentReference whose attachment holds the note (null: the note is empty). */
export function buildSessionNoteDocument(input: TSessionNoteInput) {
  const content = compact(input.content);
  if (!Object.keys(content).length) return null;

  return compact({
    resourceType: "DocumentReference",
    id: input.id,
    meta: input.meta,
    status: input.docStatus === "entered-in-error" ? "entered-in-error" : "current",
    docStatus: input.docStatus && DOC_STATUS.has(input.docStatus) && input.docStatus !== "entered-in-error" ? input.docStatus : null,
    type: { coding: [{ system: CODE_SYSTEMS.loinc, code: SESSION_NOTE_LOINC, display: "Progress note" }] },
    subject: input.subject,
    date: isFhirDate(input.date) && input.date.length === 10 ? `${input.date}T00:00:00Z` : input.date && /^\d{4}-\d{2}-\d{2}T/.test(input.date) ? input.date : null,
    author: input.author ? [input.author] : [],
    context: input.encounter ? { encounter: [input.encounter] } : null,
    content: [{ attachment: encodeSessionNote(content, "json") }],
  });
}
