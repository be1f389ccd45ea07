// The resource types the API serves: where each comes from, how it is searched and serialized.
// A type has one source table, except CarePlan (treatment plans and referral services). Bulk
// $export reads the same definitions.
import { env } from "@/lib/env";
import { prisma } from "@/lib/db/client";
import { IDENTIFIER_SYSTEMS } from "@/lib/fhir/fhir-conventions";
import type { TFhirView, TMaskedIdKind, TPolicyTable } from "@/lib/fhir/api/fhir-view";
import { resolvePseudonyms } from "@/lib/fhir/api/resolve-pseudonyms";
import { dateWhere, invalidSearch, parseDateValue, referenceId, startsWithAny, tokenValues, type TWhere } from "@/lib/fhir/api/search-parameters";
import * as rows from "@/lib/fhir/api/serialize-rows";
import type { TFhirResource } from "@/lib/fhir/serialize/fhir-values";

export type TParamKind = "token" | "date" | "reference" | "string";
export type TSearchContext = { view: TFhirView; parameter: string };
export type TParamFilter = (value: string, context: TSearchContext) => TWhere | Promise<TWhere>;

type TModel = keyof typeof rows.ROW_INCLUDE;
type TRow = { id: string; fhirId: string; updatedAt: Date } & Record<string, unknown>;

export type TSource = {
  model: TModel;
  /** How this source's rows are tied to a patient: the Patient table itself, a patientId column, or none. */
  patientField: "id" | "patientId" | null;
  /** A non-null date column for _sort=date (null: not sortable by date). */
  sortDate: string | null;
  /** A source with no dataset table behind it (treatment plans): never read for a de-identified view. */
  identifiedOnly?: boolean;
  maskedKind: TMaskedIdKind;
  serialize(row: TRow, view: TFhirView): TFhirResource;
  filters: Record<string, TParamFilter>;
};

export type TResourceType = {
  type: string;
  sources: TSource[];
  params: Record<string, { kind: TParamKind; identifiedOnly?: boolean; documentation: string }>;
  /** Served de-identified (analysts), following this dataset table's column policies; null: identified views only. */
  maskedPolicy: TPolicyTable | null;
};

const anonKey = () => env().ANON_KEY;

/** Internal ids of the resources these FHIR ids (identified) or pseudonyms (de-identified) name. */
export async function internalIds(kind: TMaskedIdKind, model: TModel, values: string[], view: TFhirView, withinPatients?: string[]): Promise<string[]> {
  if (!view.isMasked || kind === "internal") {
    const delegate = prisma[model] as unknown as { findMany(args: object): Promise<{ id: string }[]> };
    const found = await delegate.findMany({ where: view.isMasked ? { id: { in: values } } : { fhirId: { in: values } }, select: { id: true } });
    return found.map((row) => row.id);
  }

  return resolvePseudonyms(anonKey(), kind, values, withinPatients);
}

const token = (field: string): TParamFilter => (value, { parameter }) => ({ [field]: { in: tokenValues(parameter, value).map((entry) => entry.code) } });

const date = (field: string, asText = false): TParamFilter => (value, { parameter, view }) => dateWhere(field, parseDateValue(parameter, value, view.isMasked), asText);

const reference = (field: string, type: string, kind: TMaskedIdKind, model: TModel): TParamFilter => async (value, { parameter, view }) => {
  const ids = value.split(",").map((part) => referenceId(parameter, part, type)).filter((id): id is string => id !== null);

  return { [field]: { in: ids.length ? await internalIds(kind, model, ids, view) : [] } };
};

const patientRef = (field = "patientId") => reference(field, "Patient", "patient", "patient");

const idFilter = (kind: TMaskedIdKind, model: TModel): TParamFilter => async (value, { view }) => ({ id: { in: await internalIds(kind, model, value.split(","), view) } });

const COMMON_PARAMS = {
  _id: { kind: "token", documentation: "The resource id (de-identified: its pseudonym)" },
  _lastUpdated: { kind: "date", documentation: "When the record last changed (de-identified: by year)" },
} as const;

const PATIENT_PARAMS = {
  patient: { kind: "reference", documentation: "The patient (Patient/id)" },
  subject: { kind: "reference", documentation: "The patient (Patient/id)" },
} as const;

function source(model: TModel, options: Omit<TSource, "model" | "filters"> & { filters: Record<string, TParamFilter> }): TSource {
  const common: Record<string, TParamFilter> = { _id: idFilter(options.maskedKind, model), _lastUpdated: date("updatedAt") };
  const patient: Record<string, TParamFilter> = options.patientField === "patientId" ? { patient: patientRef(), subject: patientRef() } : {};

  return { model, ...options, filters: { ...common, ...patient, ...options.filters } };
}

const identifierFilter: TParamFilter = (value, { parameter }) => {
  const systems: Record<string, string> = { [IDENTIFIER_SYSTEMS.mrn]: "mrn", [IDENTIFIER_SYSTEMS.medicaid]: "medicaidId", [IDENTIFIER_SYSTEMS.insuranceMember]: "insuranceMemberId" };

  return {
    OR: tokenValues(parameter, value).flatMap(({ system, code }) => {
      if (system) return systems[system] ? [{ [systems[system]!]: code }] : [{ id: "__no_such_system__" }];
      return Object.values(systems).map((field) => ({ [field]: code }));
    }),
  };
};

/** CarePlan.status as served -> the stored statuses (referral services keep their own). */
const CARE_PLAN_STORED_STATUS: Record<string, string[]> = { draft: ["draft", "eligible"], active: ["active", "accepted"], completed: ["completed"], revoked: ["revoked", "declined"] };

export const RESOURCE_TYPES: TResourceType[] = [
  {
    type: "Patient",
    maskedPolicy: "patient_anon",
    params: {
      ...COMMON_PARAMS,
      identifier: { kind: "token", identifiedOnly: true, documentation: "MRN, Medicaid or insurance member id (system|value)" },
      name: { kind: "string", identifiedOnly: true, documentation: "Starts a given or family name" },
      family: { kind: "string", identifiedOnly: true, documentation: "Starts the family name" },
      given: { kind: "string", identifiedOnly: true, documentation: "Starts the given name" },
      birthdate: { kind: "date", identifiedOnly: true, documentation: "Birth date" },
      gender: { kind: "token", documentation: "Administrative gender" },
    },
    sources: [
      source("patient", {
        patientField: "id",
        sortDate: null,
        maskedKind: "patient",
        serialize: (row, view) => rows.serializePatient(row as unknown as rows.TPatientRow, view),
        filters: {
          identifier: identifierFilter,
          name: (value) => startsWithAny(["givenName", "familyName", "middleName", "preferredName"], value),
          family: (value) => startsWithAny(["familyName"], value),
          given: (value) => startsWithAny(["givenName", "middleName", "preferredName"], value),
          birthdate: date("birthDate", true),
          gender: token("gender"),
        },
      }),
    ],
  },
  {
    type: "Encounter",
    maskedPolicy: "encounters",
    params: { ...COMMON_PARAMS, ...PATIENT_PARAMS, date: { kind: "date", documentation: "Start of the encounter" }, status: { kind: "token", documentation: "Encounter status" }, type: { kind: "token", documentation: "CPT code" } },
    sources: [
      source("encounter", {
        patientField: "patientId",
        sortDate: "startAt",
        maskedKind: "encounter",
        serialize: (row, view) => rows.serializeEncounter(row as unknown as rows.TEncounterRow, view),
        filters: { date: date("startAt"), status: token("status"), type: token("cptCode") },
      }),
    ],
  },
  {
    type: "Observation",
    maskedPolicy: "observations",
    params: {
      ...COMMON_PARAMS,
      ...PATIENT_PARAMS,
      date: { kind: "date", documentation: "When observed" },
      code: { kind: "token", documentation: "LOINC or local code" },
      category: { kind: "token", documentation: "Category code" },
      status: { kind: "token", documentation: "Observation status" },
      encounter: { kind: "reference", documentation: "The encounter (Encounter/id)" },
    },
    sources: [
      source("observation", {
        patientField: "patientId",
        sortDate: "effectiveAt",
        maskedKind: "observation",
        serialize: (row, view) => rows.serializeObservation(row as unknown as rows.TObservationRow, view),
        filters: { date: date("effectiveAt"), code: token("code"), category: token("category"), status: token("status"), encounter: reference("encounterId", "Encounter", "encounter", "encounter") },
      }),
    ],
  },
  {
    type: "QuestionnaireResponse",
    maskedPolicy: "questionnaire_response",
    params: {
      ...COMMON_PARAMS,
      ...PATIENT_PARAMS,
      authored: { kind: "date", documentation: "When answered" },
      date: { kind: "date", documentation: "When answered (as authored)" },
      questionnaire: { kind: "reference", documentation: "The questionnaire: its canonical URL, Questionnaire/<key> or the key" },
      status: { kind: "token", documentation: "Response status" },
      encounter: { kind: "reference", documentation: "The encounter (Encounter/id)" },
    },
    sources: [
      source("questionnaireResponse", {
        patientField: "patientId",
        sortDate: "authoredAt",
        maskedKind: "response",
        serialize: (row, view) => rows.serializeQuestionnaireResponse(row as unknown as rows.TResponseRow, view),
        filters: {
          authored: date("authoredAt"),
          date: date("authoredAt"),
          questionnaire: (value) => ({ questionnaire: { in: value.split(",").map(questionnaireKeyOf) } }),
          status: token("status"),
          encounter: reference("encounterId", "Encounter", "encounter", "encounter"),
        },
      }),
    ],
  },
  {
    type: "Condition",
    maskedPolicy: "conditions",
    params: {
      ...COMMON_PARAMS,
      ...PATIENT_PARAMS,
      code: { kind: "token", documentation: "ICD-10-CM code" },
      "clinical-status": { kind: "token", documentation: "Clinical status" },
      "onset-date": { kind: "date", documentation: "Onset" },
      "recorded-date": { kind: "date", documentation: "Recorded" },
    },
    sources: [
      source("condition", {
        patientField: "patientId",
        sortDate: null,
        maskedKind: "condition",
        serialize: (row, view) => rows.serializeCondition(row as unknown as rows.TConditionRow, view),
        filters: { code: token("icd10Code"), "clinical-status": token("clinicalStatus"), "onset-date": date("onsetDate", true), "recorded-date": date("recordedDate", true) },
      }),
    ],
  },
  {
    type: "CarePlan",
    maskedPolicy: "care_plans",
    params: {
      ...COMMON_PARAMS,
      ...PATIENT_PARAMS,
      category: { kind: "token", documentation: "treatment-plan, referral, ..." },
      status: { kind: "token", documentation: "CarePlan status" },
      date: { kind: "date", documentation: "Start of the period" },
    },
    sources: [
      source("treatmentPlan", {
        identifiedOnly: true,
        patientField: "patientId",
        sortDate: null,
        maskedKind: "care_plan",
        serialize: (row, view) => rows.serializeTreatmentPlan(row as unknown as rows.TTreatmentPlanRow, view),
        filters: {
          category: (value, { parameter }) => (tokenValues(parameter, value).some((entry) => entry.code === "treatment-plan") ? {} : { id: { in: [] } }),
          status: token("status"),
          date: date("startDate", true),
        },
      }),
      source("carePlan", {
        patientField: "patientId",
        sortDate: null,
        maskedKind: "care_plan",
        serialize: (row, view) => rows.serializeCarePlan(row as unknown as rows.TCarePlanRow, view),
        filters: {
          category: token("category"),
          status: (value, { parameter }) => ({ status: { in: tokenValues(parameter, value).flatMap((entry) => CARE_PLAN_STORED_STATUS[entry.code] ?? [entry.code]) } }),
          date: date("startDate", true),
        },
      }),
    ],
  },
  {
    type: "Goal",
    maskedPolicy: null,
    params: { ...COMMON_PARAMS, ...PATIENT_PARAMS, "lifecycle-status": { kind: "token", documentation: "Lifecycle status" }, "start-date": { kind: "date", documentation: "Start" } },
    sources: [
      source("goal", {
        patientField: "patientId",
        sortDate: null,
        maskedKind: "internal",
        serialize: (row, view) => rows.serializeGoal(row as unknown as rows.TGoalRow, view),
        filters: { "lifecycle-status": token("lifecycleStatus"), "start-date": date("startDate", true) },
      }),
    ],
  },
  {
    type: "DocumentReference",
    maskedPolicy: null,
    params: { ...COMMON_PARAMS, ...PATIENT_PARAMS, date: { kind: "date", documentation: "Date of the session note" }, encounter: { kind: "reference", documentation: "The encounter (Encounter/id)" } },
    sources: [
      source("sessionNote", {
        patientField: "patientId",
        sortDate: "noteDate",
        maskedKind: "internal",
        serialize: (row, view) => rows.serializeSessionNote(row as unknown as rows.TSessionNoteRow, view),
        filters: { date: date("noteDate"), encounter: reference("encounterId", "Encounter", "encounter", "encounter") },
      }),
    ],
  },
  {
    type: "Practitioner",
    maskedPolicy: "practitioners",
    params: {
      ...COMMON_PARAMS,
      identifier: { kind: "token", identifiedOnly: true, documentation: "NPI" },
      name: { kind: "string", identifiedOnly: true, documentation: "Starts a given or family name" },
      family: { kind: "string", identifiedOnly: true, documentation: "Starts the family name" },
      given: { kind: "string", identifiedOnly: true, documentation: "Starts the given name" },
    },
    sources: [
      source("practitioner", {
        patientField: null,
        sortDate: null,
        maskedKind: "practitioner",
        serialize: (row, view) => rows.serializePractitioner(row as unknown as rows.TPractitionerRow, view),
        filters: {
          identifier: (value, { parameter }) => ({ npi: { in: tokenValues(parameter, value).map((entry) => entry.code) } }),
          name: (value) => startsWithAny(["givenName", "familyName"], value),
          family: (value) => startsWithAny(["familyName"], value),
          given: (value) => startsWithAny(["givenName"], value),
        },
      }),
    ],
  },
  {
    type: "Organization",
    maskedPolicy: "organizations",
    params: { ...COMMON_PARAMS, name: { kind: "string", documentation: "Starts the name" } },
    sources: [
      source("organization", { patientField: null, sortDate: null, maskedKind: "internal", serialize: (row, view) => rows.serializeOrganization(row as unknown as rows.TOrganizationRow, view), filters: { name: (value) => startsWithAny(["name"], value) } }),
    ],
  },
  {
    type: "Location",
    maskedPolicy: "locations",
    params: { ...COMMON_PARAMS, name: { kind: "string", documentation: "Starts the name" } },
    sources: [
      source("location", { patientField: null, sortDate: null, maskedKind: "internal", serialize: (row, view) => rows.serializeLocation(row as unknown as rows.TLocationRow, view), filters: { name: (value) => startsWithAny(["name"], value) } }),
    ],
  },
];

/** Questionnaire=<canonical>, Questionnaire/<key> or <key> -> the stored key. */
function questionnaireKeyOf(value: string) {
  const url = value.split("|")[0]!;
  const last = url.split("/").filter(Boolean).pop() ?? url;

  return last.toLowerCase();
}

export function findResourceType(type: string) {
  return RESOURCE_TYPES.find((definition) => definition.type === type) ?? null;
}

export const invalidParameter = invalidSearch;
