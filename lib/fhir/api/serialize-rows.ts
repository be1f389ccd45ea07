// Database rows -> R4 resources, for one view. Identified and de-identified resources come from
// the same mapping: the view decides ids, references and what each column becomes.
import type { Prisma } from "@/generated/prisma/client";
import { CARE_PLAN_CATEGORY, questionnaireCanonical, REFERRAL_STATUSES } from "@/lib/fhir/fhir-conventions";
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import { getQuestionnaire } from "@/lib/fhir/questionnaire-catalog";
import { itemPolicy } from "@/lib/datasets/questionnaire-tables";
import { buildConditionResource, buildEncounterResource, buildObservationResource, buildQuestionnaireResponseResource, buildSessionNoteDocument } from "@/lib/fhir/serialize/clinical-resources";
import { buildLocationResource, buildOrganizationResource, buildPractitionerResource } from "@/lib/fhir/serialize/directory-resources";
import type { TFhirResource } from "@/lib/fhir/serialize/fhir-values";
import { buildPatientResource } from "@/lib/fhir/serialize/patient-resource";
import { buildCarePlanResource, buildGoalResource } from "@/lib/fhir/serialize/plan-resources";

const FHIR_ID = { select: { id: true, fhirId: true } } as const;

export const ROW_INCLUDE = {
  patient: { organization: FHIR_ID, generalPractitioner: FHIR_ID },
  encounter: { patient: FHIR_ID, practitioner: FHIR_ID, organization: FHIR_ID, location: FHIR_ID },
  observation: { patient: FHIR_ID, encounter: FHIR_ID },
  condition: { patient: FHIR_ID },
  questionnaireResponse: { patient: FHIR_ID, encounter: FHIR_ID, practitioner: FHIR_ID },
  carePlan: { patient: FHIR_ID },
  treatmentPlan: { patient: FHIR_ID, goals: FHIR_ID },
  goal: { patient: FHIR_ID },
  sessionNote: { patient: FHIR_ID, encounter: FHIR_ID, practitioner: FHIR_ID },
  practitioner: { organization: FHIR_ID },
  organization: {},
  location: { organization: FHIR_ID },
} as const;

export type TPatientRow = Prisma.PatientGetPayload<{ include: (typeof ROW_INCLUDE)["patient"] }>;
export type TEncounterRow = Prisma.EncounterGetPayload<{ include: (typeof ROW_INCLUDE)["encounter"] }>;
export type TObservationRow = Prisma.ObservationGetPayload<{ include: (typeof ROW_INCLUDE)["observation"] }>;
export type TConditionRow = Prisma.ConditionGetPayload<{ include: (typeof ROW_INCLUDE)["condition"] }>;
export type TResponseRow = Prisma.QuestionnaireResponseGetPayload<{ include: (typeof ROW_INCLUDE)["questionnaireResponse"] }>;
export type TCarePlanRow = Prisma.CarePlanGetPayload<{ include: (typeof ROW_INCLUDE)["carePlan"] }>;
export type TTreatmentPlanRow = Prisma.TreatmentPlanGetPayload<{ include: (typeof ROW_INCLUDE)["treatmentPlan"] }>;
export type TGoalRow = Prisma.GoalGetPayload<{ include: (typeof ROW_INCLUDE)["goal"] }>;
export type TSessionNoteRow = Prisma.SessionNoteGetPayload<{ include: (typeof ROW_INCLUDE)["sessionNote"] }>;
export type TPractitionerRow = Prisma.PractitionerGetPayload<{ include: (typeof ROW_INCLUDE)["practitioner"] }>;
export type TOrganizationRow = Prisma.OrganizationGetPayload<object>;
export type TLocationRow = Prisma.LocationGetPayload<{ include: (typeof ROW_INCLUDE)["location"] }>;

const str = (value: unknown) => (value === null || value === undefined ? null : String(value));
const num = (value: unknown) => (typeof value === "number" ? value : null);

export function serializePatient(row: TPatientRow, view: TFhirView): TFhirResource {
  const v = (column: string, raw: unknown) => view.value("patient_anon", column, raw, row.id);
  // Birth date: the year (Safe Harbor keeps it) unless the age is 90 or over, which is said only as "90+".
  const age = view.isMasked ? str(v("age", row.birthDate)) : null;
  const isOver89 = age === "90+";
  const birthDate = view.isMasked ? (isOver89 || !row.birthDate ? null : row.birthDate.slice(0, 4)) : row.birthDate;

  return buildPatientResource({
    id: view.idOf("patient", row),
    meta: view.meta(row.updatedAt),
    mrn: str(v("mrn", row.mrn)),
    medicaidId: str(v("medicaid_id", row.medicaidId)),
    memberId: str(v("insurance_member_id", row.insuranceMemberId)),
    payer: str(v("insurance_payer", row.insurancePayer)),
    familyName: str(v("family_name", row.familyName)),
    givenNames: [str(v("given_name", row.givenName)), str(v("middle_name", row.middleName))],
    preferredName: str(v("preferred_name", row.preferredName)),
    gender: str(v("gender", row.gender)),
    birthDate,
    extension: isOver89 ? [{ url: "http://hl7.org/fhir/StructureDefinition/patient-age-90-plus", valueString: "90+" }] : [],
    phone: str(v("phone", row.phone)),
    mobilePhone: str(v("mobile_phone", row.mobilePhone)),
    email: str(v("email", row.email)),
    address: { line: str(v("address_line", row.addressLine)), city: str(v("city", row.city)), state: str(v("state", row.state)), postalCode: str(v("zip3", row.postalCode)), country: str(v("country", row.country)) },
    emergencyContact: { name: str(v("emergency_contact_name", row.emergencyContactName)), phone: str(v("emergency_contact_phone", row.emergencyContactPhone)) },
    language: str(v("language", row.language)),
    maritalStatus: str(v("marital_status", row.maritalStatus)),
    active: row.active,
    managingOrganization: view.ref("Organization", "internal", row.organization),
    generalPractitioner: view.ref("Practitioner", "practitioner", row.generalPractitioner),
  });
}

export function serializeEncounter(row: TEncounterRow, view: TFhirView): TFhirResource {
  const v = (column: string, raw: unknown) => view.value("encounters", column, raw, row.patientId);

  return buildEncounterResource({
    id: view.idOf("encounter", row),
    meta: view.meta(row.updatedAt),
    status: row.status,
    deliveryFormat: str(v("delivery_format", row.deliveryFormat)),
    cptCode: str(v("cpt_code", row.cptCode)),
    cptDisplay: str(v("cpt_display", row.cptDisplay)),
    units: num(v("units", row.units)),
    subject: view.ref("Patient", "patient", row.patient)!,
    participant: view.ref("Practitioner", "practitioner", row.practitioner),
    start: view.isMasked ? str(v("start_date", row.startAt))! : row.startAt.toISOString(),
    end: view.isMasked ? str(v("end_date", row.endAt)) : (row.endAt?.toISOString() ?? null),
    reasonText: str(v("reason_text", row.reasonText)),
    serviceProvider: view.ref("Organization", "internal", row.organization),
    location: view.ref("Location", "internal", row.location),
  });
}

export function serializeObservation(row: TObservationRow, view: TFhirView): TFhirResource {
  const v = (column: string, raw: unknown) => view.value("observations", column, raw, row.patientId);

  return buildObservationResource({
    id: view.idOf("observation", row),
    meta: view.meta(row.updatedAt),
    status: str(v("status", row.status)),
    category: str(v("category", row.category)),
    code: str(v("code", row.code)),
    display: str(v("display", row.display)) ?? "Observation",
    subject: view.ref("Patient", "patient", row.patient)!,
    encounter: view.ref("Encounter", "encounter", row.encounter),
    effective: view.isMasked ? str(v("effective_date", row.effectiveAt)) : row.effectiveAt.toISOString(),
    valueNumber: num(v("value_number", row.valueNumber)),
    unit: str(v("unit", row.unit)),
    valueString: str(v("value_string", row.valueString)),
  });
}

export function serializeCondition(row: TConditionRow, view: TFhirView): TFhirResource {
  const v = (column: string, raw: unknown) => view.value("conditions", column, raw, row.patientId);

  return buildConditionResource({
    id: view.idOf("condition", row),
    meta: view.meta(row.updatedAt),
    clinicalStatus: str(v("clinical_status", row.clinicalStatus)),
    code: str(v("icd10_code", row.icd10Code)),
    display: str(v("display", row.display)) ?? "Condition",
    subject: view.ref("Patient", "patient", row.patient)!,
    onset: str(v("onset_date", row.onsetDate)),
    recorded: str(v("recorded_date", row.recordedDate)),
  });
}

type TAnswer = Record<string, unknown> & { item?: TItem[] };
type TItem = Record<string, unknown> & { linkId?: string; text?: string; answer?: TAnswer[]; item?: TItem[] };

/**
 * Answers as the questionnaire tables' item policies keep them: picked codes and numbers as they
 * are, written answers scrubbed, dates per profile, identifying items (by name) left unanswered.
 */
function maskItems(items: unknown, questionnaireKey: string, patientId: string, view: TFhirView): TItem[] {
  const catalog = getQuestionnaire(questionnaireKey);
  const policyOf = (linkId: string | undefined) => {
    const item = catalog?.items.find((entry) => entry.linkId === linkId);
    return item ? itemPolicy(item) : "free_text";
  };
  const maskAnswer = (answer: TAnswer, policy: string | undefined): TAnswer | null => {
    const masked: TAnswer = {};
    for (const [key, value] of Object.entries(answer)) {
      if (key === "item") continue;
      if (key === "valueString") masked[key] = view.text(String(value), patientId);
      else if (key === "valueDate" || key === "valueDateTime") {
        const date = view.date(String(value), patientId);
        if (date) masked.valueDate = date;
      } else if (key === "valueCoding" || key.startsWith("value")) masked[key] = policy === "free_text" && typeof value === "string" ? view.text(value, patientId) : value;
    }
    if (answer.item) masked.item = maskList(answer.item);
    return Object.keys(masked).length ? masked : null;
  };
  const maskList = (list: TItem[]): TItem[] =>
    list.map((item) => {
      const policy = policyOf(item.linkId);
      const answers = policy === undefined || policy === "redact" ? [] : (item.answer ?? []).map((answer) => maskAnswer(answer, policy)).filter((answer): answer is TAnswer => answer !== null);
      const masked: TItem = { linkId: item.linkId ?? "item" };
      if (item.text) masked.text = view.text(item.text, patientId);
      if (answers.length) masked.answer = answers;
      if (item.item?.length) masked.item = maskList(item.item);
      return masked;
    });

  return Array.isArray(items) ? maskList(items as TItem[]) : [];
}

export function serializeQuestionnaireResponse(row: TResponseRow, view: TFhirView): TFhirResource {
  const v = (column: string, raw: unknown) => view.value("questionnaire_response", column, raw, row.patientId);

  return buildQuestionnaireResponseResource({
    id: view.idOf("response", row),
    meta: view.meta(row.updatedAt),
    questionnaire: getQuestionnaire(row.questionnaire)?.canonical ?? questionnaireCanonical(row.questionnaire),
    status: str(v("status", row.status)),
    subject: view.ref("Patient", "patient", row.patient)!,
    encounter: view.ref("Encounter", "encounter", row.encounter),
    author: view.ref("Practitioner", "practitioner", row.practitioner),
    authored: view.isMasked ? str(v("authored_date", row.authoredAt))! : row.authoredAt.toISOString(),
    item: view.isMasked ? maskItems(row.items, row.questionnaire, row.patientId, view) : Array.isArray(row.items) ? row.items : [],
  });
}

export function serializeCarePlan(row: TCarePlanRow, view: TFhirView): TFhirResource {
  const v = (column: string, raw: unknown) => view.value("care_plans", column, raw, row.patientId);
  const isReferral = (REFERRAL_STATUSES as readonly string[]).includes(row.status);

  return buildCarePlanResource({
    id: view.idOf("care_plan", row),
    meta: view.meta(row.updatedAt),
    status: isReferral ? null : str(v("status", row.status)),
    referralStatus: isReferral ? str(v("status", row.status)) : null,
    intent: str(v("intent", row.intent)),
    category: str(v("category", row.category)) ?? CARE_PLAN_CATEGORY.referral,
    title: str(v("title", row.title)),
    description: str(v("description", row.description)),
    subject: view.ref("Patient", "patient", row.patient)!,
    start: str(v("start_date", row.startDate)),
    end: str(v("end_date", row.endDate)),
  });
}

/** Treatment plans, goals and session notes have no dataset table: identified views only. */
export function serializeTreatmentPlan(row: TTreatmentPlanRow, view: TFhirView): TFhirResource {
  return buildCarePlanResource({
    id: view.idOf("care_plan", row),
    meta: view.meta(row.updatedAt),
    status: row.status,
    category: CARE_PLAN_CATEGORY.treatmentPlan,
    title: row.title,
    description: row.description,
    subject: view.ref("Patient", "patient", row.patient)!,
    start: row.startDate,
    end: row.endDate,
    goals: row.goals.map((goal) => view.ref("Goal", "internal", goal)!),
    interventions: Array.isArray(row.interventions) ? row.interventions.map(String) : [],
  });
}

export function serializeGoal(row: TGoalRow, view: TFhirView): TFhirResource {
  return buildGoalResource({
    id: view.idOf("internal", row),
    meta: view.meta(row.updatedAt),
    status: row.lifecycleStatus,
    achievementStatus: row.achievementStatus,
    description: row.description,
    subject: view.ref("Patient", "patient", row.patient)!,
    measure: row.measure,
    unit: row.unit,
    baseline: row.baselineValue,
    target: row.targetValue,
    current: row.currentValue,
    progressPercent: row.progressPercent,
    start: row.startDate,
    due: row.targetDate,
  });
}

export function serializeSessionNote(row: TSessionNoteRow, view: TFhirView): TFhirResource {
  const actionItems = Array.isArray(row.actionItems) ? row.actionItems.map(String) : [];
  const document = buildSessionNoteDocument({
    id: view.idOf("internal", row),
    meta: view.meta(row.updatedAt),
    docStatus: row.status,
    subject: view.ref("Patient", "patient", row.patient)!,
    date: row.noteDate.toISOString(),
    author: view.ref("Practitioner", "practitioner", row.practitioner),
    encounter: view.ref("Encounter", "encounter", row.encounter),
    content: {
      subjective: row.subjective ?? undefined,
      objective: row.objective ?? undefined,
      assessment: row.assessment ?? undefined,
      plan: row.plan ?? undefined,
      transcript: row.transcript ?? undefined,
      ai_notes: row.aiNotes ?? undefined,
      action_items: actionItems.length ? actionItems : undefined,
    },
  });
  // An empty note still exists: served with an empty text attachment rather than hidden.
  return document ?? { resourceType: "DocumentReference", id: view.idOf("internal", row), status: "current", subject: view.ref("Patient", "patient", row.patient)!, content: [{ attachment: { contentType: "text/plain" } }] };
}

export function serializePractitioner(row: TPractitionerRow, view: TFhirView): TFhirResource {
  const v = (column: string, raw: unknown) => view.value("practitioners", column, raw, null);

  return buildPractitionerResource({
    id: view.idOf("practitioner", row),
    meta: view.meta(row.updatedAt),
    npi: str(v("npi", row.npi)),
    familyName: str(v("family_name", row.familyName)),
    givenName: str(v("given_name", row.givenName)),
    prefix: view.isMasked ? null : row.prefix,
    credentials: str(v("credentials", row.credentials)),
    gender: str(v("gender", row.gender)),
    phone: str(v("phone", row.phone)),
    email: str(v("email", row.email)),
    active: row.active,
    organization: view.ref("Organization", "internal", row.organization),
  });
}

export function serializeOrganization(row: TOrganizationRow, view: TFhirView): TFhirResource {
  const v = (column: string, raw: unknown) => view.value("organizations", column, raw, null);

  return buildOrganizationResource({
    id: view.idOf("internal", row),
    meta: view.meta(row.updatedAt),
    name: str(v("name", row.name)) ?? "Organization",
    type: str(v("type", row.type)),
    phone: view.isMasked ? null : row.phone,
    email: view.isMasked ? null : row.email,
    line: view.isMasked ? null : row.addressLine,
    city: str(v("city", row.city)),
    state: str(v("state", row.state)),
    postalCode: str(v("postal_code", row.postalCode)),
  });
}

export function serializeLocation(row: TLocationRow, view: TFhirView): TFhirResource {
  const v = (column: string, raw: unknown) => view.value("locations", column, raw, null);

  return buildLocationResource({
    id: view.idOf("internal", row),
    meta: view.meta(row.updatedAt),
    name: str(v("name", row.name)) ?? "Location",
    phone: view.isMasked ? null : row.phone,
    line: view.isMasked ? null : row.addressLine,
    city: str(v("city", row.city)),
    state: str(v("state", row.state)),
    postalCode: str(v("postal_code", row.postalCode)),
    managingOrganization: view.ref("Organization", "internal", row.organization),
  });
}
