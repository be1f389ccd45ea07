// The report as a FHIR R4 Bundle (type collection), built from the context so it carries exactly
// what the other formats carry (sections and redaction already applied).
// The resources themselves come from lib/fhir/serialize, the mapping the FHIR API serves too.
import { CARE_PLAN_CATEGORY, CAREEXPORT_FHIR_BASE, questionnaireCanonical } from "@/lib/fhir/fhir-conventions";
import { buildConditionResource, buildEncounterResource, buildObservationResource, buildQuestionnaireResponseResource, buildSessionNoteDocument } from "@/lib/fhir/serialize/clinical-resources";
import { buildPractitionerResource } from "@/lib/fhir/serialize/directory-resources";
import { isFhirDate, referenceTo, toFhirId, type TFhirResource } from "@/lib/fhir/serialize/fhir-values";
import { buildPatientResource } from "@/lib/fhir/serialize/patient-resource";
import { buildCarePlanResource, buildGoalResource } from "@/lib/fhir/serialize/plan-resources";
import type { TReportContext } from "@/lib/reports/report-context.types";

type TResource = TFhirResource;

export function buildReportBundle(context: TReportContext): Record<string, unknown> {
  const resources: TResource[] = [];
  const add = <T extends TResource>(resource: T | null) => {
    if (resource) resources.push(resource);
    return resource;
  };
  const { patient: p } = context;

  const patient = add(
    buildPatientResource({
      id: toFhirId(p.id),
      mrn: p.mrn,
      memberId: p.member_id,
      payer: p.payer,
      familyName: p.family_name,
      givenNames: [p.given_name],
      gender: p.gender,
      birthDate: p.birth_date,
      phone: p.phone,
      email: p.email,
      address: p.address ? { text: p.address } : null,
    }),
  )!;
  const subject = referenceTo(patient);

  // Who the report was produced for. Encounters and notes name their own clinicians instead.
  if (context.therapist.name) {
    add(
      buildPractitionerResource({
        id: "author",
        npi: context.therapist.npi,
        nameText: `${context.therapist.name}${context.therapist.credentials ? `, ${context.therapist.credentials}` : ""}`,
      }),
    );
  }

  const conditions = context.diagnoses.map((diagnosis, index) =>
    add(buildConditionResource({ id: `condition-${index + 1}`, clinicalStatus: diagnosis.status, code: diagnosis.code, display: diagnosis.description, subject, onset: diagnosis.onset }))!,
  );

  const goals = context.goals.map((goal, index) =>
    add(
      buildGoalResource({
        id: `goal-${index + 1}`,
        status: goal.status,
        description: goal.description,
        subject,
        measure: goal.measure,
        baseline: goal.baseline,
        target: goal.target,
        current: goal.current,
        progressPercent: goal.progress_percent,
      }),
    )!,
  );

  // Every plan the report covers (goals are the patient's, not split by plan in the context).
  for (const plan of context.treatment_plans ?? (context.treatment_plan ? [context.treatment_plan] : [])) {
    add(
      buildCarePlanResource({
        id: toFhirId(plan.id),
        status: plan.status,
        category: CARE_PLAN_CATEGORY.treatmentPlan,
        title: plan.title,
        description: plan.description,
        subject,
        start: plan.start,
        end: plan.end,
        addresses: conditions.map(referenceTo),
        goals: goals.map(referenceTo),
        interventions: plan.interventions,
      }),
    );
  }

  for (const session of context.sessions) {
    const encounter = session.is_note_only
      ? null
      : add(
          buildEncounterResource({
            id: toFhirId(session.id),
            status: "finished",
            deliveryFormat: session.delivery_format,
            cptCode: session.cpt_code,
            cptDisplay: session.cpt_description,
            units: session.units,
            subject,
            participant: session.practitioner ? { display: session.practitioner } : null,
            start: session.date,
          }),
        );
    // One DocumentReference per note (a session can have several), written by the note's author.
    for (const note of session.notes) {
      add(
        buildSessionNoteDocument({
          id: `note-${toFhirId(note.id)}`.slice(0, 64),
          subject,
          date: isFhirDate(note.date) ? `${note.date}T00:00:00Z` : null,
          author: note.author ? { display: note.author } : null,
          encounter: encounter ? referenceTo(encounter) : null,
          content: {
            subjective: note.subjective ?? undefined,
            objective: note.objective ?? undefined,
            assessment: note.assessment ?? undefined,
            plan: note.plan ?? undefined,
            transcript: note.transcript ?? undefined,
            ai_notes: note.ai_notes ?? undefined,
            action_items: note.action_items.length ? note.action_items : undefined,
          },
        }),
      );
    }
  }

  context.assessments.forEach((assessment, index) =>
    add(
      buildQuestionnaireResponseResource({
        id: `assessment-${index + 1}`,
        questionnaire: questionnaireCanonical(assessment.questionnaire),
        status: "completed",
        subject,
        authored: assessment.date,
        item: assessment.score !== null ? [{ linkId: "total-score", text: `${assessment.name} total score${assessment.severity ? ` (${assessment.severity})` : ""}`, answer: [{ valueDecimal: assessment.score }] }] : [],
      }),
    ),
  );

  context.observations.forEach((observation, index) =>
    add(
      buildObservationResource({
        id: `observation-${index + 1}`,
        status: "final",
        code: observation.code,
        display: observation.name,
        subject,
        effective: isFhirDate(observation.date) ? observation.date : null,
        valueString: observation.value,
      }),
    ),
  );

  return {
    resourceType: "Bundle",
    id: toFhirId(`${context.export_type}-${p.id}`),
    meta: { lastUpdated: context.generated_at },
    type: "collection",
    timestamp: context.generated_at,
    entry: resources.map((resource) => ({ fullUrl: `${CAREEXPORT_FHIR_BASE}/${resource.resourceType}/${resource.id}`, resource })),
  };
}

export function writeReportFhir(context: TReportContext): Buffer {
  return Buffer.from(`${JSON.stringify(buildReportBundle(context), null, 2)}\n`, "utf8");
}
