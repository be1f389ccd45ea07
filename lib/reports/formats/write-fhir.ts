// The report as a FHIR R4 Bundle (type collection), built from the context so it carries exactly
// what the other formats carry (sections and redaction already applied).
import { CARE_PLAN_CATEGORY, CAREEXPORT_FHIR_BASE, CODE_SYSTEMS, EXTENSIONS, IDENTIFIER_SYSTEMS, SESSION_NOTE_LOINC, questionnaireCanonical } from "@/lib/fhir/fhir-conventions";
import { encodeSessionNote, type TSessionNoteContent } from "@/lib/fhir/session-note-content";
import type { TReportContext } from "@/lib/reports/report-context.types";

type TResource = Record<string, unknown> & { resourceType: string; id: string };

const FHIR_ID_RE = /[^A-Za-z0-9\-.]/g;
const fhirId = (value: string) => value.replace(FHIR_ID_RE, "-").slice(0, 64) || "x";
const ref = (resource: TResource) => ({ reference: `${resource.resourceType}/${resource.id}` });

const GENDERS = new Set(["male", "female", "other", "unknown"]);
const GOAL_LIFECYCLE = new Set(["proposed", "planned", "accepted", "active", "on-hold", "completed", "cancelled", "entered-in-error", "rejected"]);
const CARE_PLAN_STATUS = new Set(["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"]);

/** A calendar date as a FHIR dateTime (midnight UTC would invent a time; a bare date is valid dateTime). */
const isDate = (value: string | null | undefined): value is string => Boolean(value && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value));

function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0) && value !== "")) as T;
}

export function buildReportBundle(context: TReportContext): Record<string, unknown> {
  const resources: TResource[] = [];
  const add = <T extends TResource>(resource: T) => {
    resources.push(compact(resource));
    return resource;
  };
  const { patient: p } = context;

  const patient = add({
    resourceType: "Patient",
    id: fhirId(p.id),
    identifier: [
      p.mrn ? { system: IDENTIFIER_SYSTEMS.mrn, value: p.mrn } : null,
      p.member_id ? compact({ system: IDENTIFIER_SYSTEMS.insuranceMember, value: p.member_id, assigner: p.payer ? { display: p.payer } : null }) : null,
    ].filter(Boolean),
    name: [{ use: "official", family: p.family_name, given: [p.given_name] }],
    gender: p.gender && GENDERS.has(p.gender) ? p.gender : null,
    birthDate: isDate(p.birth_date) ? p.birth_date : null,
    telecom: [p.phone ? { system: "phone", value: p.phone } : null, p.email ? { system: "email", value: p.email } : null].filter(Boolean),
    address: p.address ? [{ text: p.address }] : [],
  });
  const subject = ref(patient);

  // Who the report was produced for. Encounters and notes name their own clinicians instead.
  if (context.therapist.name) {
    add({
      resourceType: "Practitioner",
      id: "author",
      identifier: context.therapist.npi ? [{ system: IDENTIFIER_SYSTEMS.npi, value: context.therapist.npi }] : [],
      name: [{ text: `${context.therapist.name}${context.therapist.credentials ? `, ${context.therapist.credentials}` : ""}` }],
    });
  }

  const conditions = context.diagnoses.map((diagnosis, index) =>
    add({
      resourceType: "Condition",
      id: `condition-${index + 1}`,
      clinicalStatus: diagnosis.status ? { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: diagnosis.status }] } : null,
      code: compact({ coding: diagnosis.code ? [{ system: CODE_SYSTEMS.icd10cm, code: diagnosis.code, display: diagnosis.description }] : [], text: diagnosis.description }),
      subject,
      onsetDateTime: isDate(diagnosis.onset) ? diagnosis.onset : null,
    }),
  );

  const goals = context.goals.map((goal, index) =>
    add({
      resourceType: "Goal",
      id: `goal-${index + 1}`,
      lifecycleStatus: goal.status && GOAL_LIFECYCLE.has(goal.status) ? goal.status : "active",
      achievementStatus: goal.status && !GOAL_LIFECYCLE.has(goal.status) ? { text: goal.status } : null,
      description: { text: goal.description },
      subject,
      target: goal.target !== null ? [compact({ measure: goal.measure ? { text: goal.measure } : null, detailQuantity: { value: goal.target } })] : [],
      extension: [
        goal.baseline !== null ? { url: EXTENSIONS.goalBaseline, valueQuantity: { value: goal.baseline } } : null,
        goal.current !== null ? { url: EXTENSIONS.goalCurrent, valueQuantity: { value: goal.current } } : null,
      ].filter(Boolean),
      note: goal.progress_percent !== null ? [{ text: `Progress ${goal.progress_percent}%` }] : [],
    }),
  );

  // Every plan the report covers (goals are the patient's, not split by plan in the context).
  for (const plan of context.treatment_plans ?? (context.treatment_plan ? [context.treatment_plan] : [])) {
    add({
      resourceType: "CarePlan",
      id: fhirId(plan.id),
      status: plan.status && CARE_PLAN_STATUS.has(plan.status) ? plan.status : "unknown",
      intent: "plan",
      category: [{ coding: [{ system: CODE_SYSTEMS.carePlanCategory, code: CARE_PLAN_CATEGORY.treatmentPlan }] }],
      title: plan.title,
      description: plan.description,
      subject,
      period: isDate(plan.start) || isDate(plan.end) ? compact({ start: isDate(plan.start) ? plan.start : null, end: isDate(plan.end) ? plan.end : null }) : null,
      addresses: conditions.map(ref),
      goal: goals.map(ref),
      activity: plan.interventions.map((intervention) => ({ detail: { status: "in-progress", description: intervention } })),
    });
  }

  for (const session of context.sessions) {
    const encounter = session.is_note_only
      ? null
      : add({
          resourceType: "Encounter",
          id: fhirId(session.id),
          status: "finished",
          class: session.delivery_format === "telehealth" ? { system: CODE_SYSTEMS.actCode, code: "VR", display: "virtual" } : { system: CODE_SYSTEMS.actCode, code: "AMB", display: "ambulatory" },
          type: session.cpt_code ? [{ coding: [compact({ system: CODE_SYSTEMS.cpt, code: session.cpt_code, display: session.cpt_description })] }] : [],
          subject,
          // The clinician who saw the patient, not whoever ran the export.
          participant: session.practitioner ? [{ individual: { display: session.practitioner } }] : [],
          period: { start: session.date },
          extension: [
            session.delivery_format ? { url: EXTENSIONS.deliveryFormat, valueCode: session.delivery_format } : null,
            session.units !== null ? { url: EXTENSIONS.units, valueInteger: session.units } : null,
          ].filter(Boolean),
        });
    // One DocumentReference per note (a session can have several), written by the note's author.
    for (const note of session.notes) {
      const content: TSessionNoteContent = compact({
        subjective: note.subjective ?? undefined,
        objective: note.objective ?? undefined,
        assessment: note.assessment ?? undefined,
        plan: note.plan ?? undefined,
        transcript: note.transcript ?? undefined,
        ai_notes: note.ai_notes ?? undefined,
        action_items: note.action_items.length ? note.action_items : undefined,
      });
      if (!Object.keys(content).length) continue;
      add({
        resourceType: "DocumentReference",
        id: `note-${fhirId(note.id)}`.slice(0, 64),
        status: "current",
        type: { coding: [{ system: CODE_SYSTEMS.loinc, code: SESSION_NOTE_LOINC, display: "Progress note" }] },
        subject,
        date: isDate(note.date) ? `${note.date}T00:00:00Z` : null,
        author: note.author ? [{ display: note.author }] : [],
        context: encounter ? { encounter: [ref(encounter)] } : null,
        content: [{ attachment: encodeSessionNote(content, "json") }],
      });
    }
  }

  context.assessments.forEach((assessment, index) =>
    add({
      resourceType: "QuestionnaireResponse",
      id: `assessment-${index + 1}`,
      questionnaire: questionnaireCanonical(assessment.questionnaire),
      status: "completed",
      subject,
      authored: assessment.date,
      item: assessment.score !== null ? [{ linkId: "total-score", text: `${assessment.name} total score${assessment.severity ? ` (${assessment.severity})` : ""}`, answer: [{ valueDecimal: assessment.score }] }] : [],
    }),
  );

  context.observations.forEach((observation, index) =>
    add({
      resourceType: "Observation",
      id: `observation-${index + 1}`,
      status: "final",
      code: compact({ coding: observation.code ? [{ system: CODE_SYSTEMS.loinc, code: observation.code, display: observation.name }] : [], text: observation.name }),
      subject,
      effectiveDateTime: isDate(observation.date) ? observation.date : null,
      valueString: observation.value,
    }),
  );

  return {
    resourceType: "Bundle",
    id: fhirId(`${context.export_type}-${p.id}`),
    meta: { lastUpdated: context.generated_at },
    type: "collection",
    timestamp: context.generated_at,
    entry: resources.map((resource) => ({ fullUrl: `${CAREEXPORT_FHIR_BASE}/${resource.resourceType}/${resource.id}`, resource })),
  };
}

export function writeReportFhir(context: TReportContext): Buffer {
  return Buffer.from(`${JSON.stringify(buildReportBundle(context), null, 2)}\n`, "utf8");
}
