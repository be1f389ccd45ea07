// Demo step 2: each patient's course of care — diagnosis, treatment plan with measured goals,
// sessions with notes, questionnaires (registration, intake, PHQ-9 / GAD-7, follow-ups,
// social-needs screening), score observations and referrals. Scores follow a trajectory per
// patient, so goal progress and severity trends tell a coherent story.
import { CARE_PLAN_CATEGORY, CODE_SYSTEMS, EXTENSIONS, questionnaireCanonical, SESSION_NOTE_LOINC } from "@/lib/fhir/fhir-conventions";
import { getQuestionnaire, severityFor } from "@/lib/fhir/questionnaire-catalog";
import { encodeSessionNote } from "@/lib/fhir/session-note-content";

import { GROUP_LOCATION_BY_CLINIC, locationsOfClinic, PARTNER_IDS, TELEHEALTH_LOCATION, CLINIC_IDS } from "./build-directory";
import { DAY_MS, DEMO_REFERENCE_DATE, isoDate, isoDateTime, pad, ref, type TDemoPatient, type TDemoPractitioner, type TFhirResource } from "./demo-model";
import * as words from "./demo-vocabulary";
import type { TRandom } from "./random";

type TTrack = "depression" | "anxiety";
type TMeasure = { key: "phq-9" | "gad-7"; max: number; itemCount: number; itemPrefix: string };

const MEASURES: Record<TTrack, TMeasure> = {
  depression: { key: "phq-9", max: 27, itemCount: 9, itemPrefix: "phq9" },
  anxiety: { key: "gad-7", max: 21, itemCount: 7, itemPrefix: "gad7" },
};

export type TClinicalPlan = {
  /** Sessions per patient; sums to the demo's encounter count. */
  encounterCounts: number[];
  /** Patients screened for social needs. */
  referralScreened: Set<number>;
  /** Referral care plans to create in all. */
  referralPlanCount: number;
  /** Follow-up questionnaires to spread over non-intake sessions. */
  followUpCount: number;
};

/** Splits `total` into `parts` counts of at least `min`, deterministically. */
export function spreadCounts(random: TRandom, total: number, parts: number, min: number, max: number) {
  const counts = Array.from({ length: parts }, () => random.int(min, max));
  let sum = counts.reduce((a, b) => a + b, 0);
  while (sum !== total) {
    const index = random.int(0, parts - 1);
    if (sum < total && counts[index]! < max + 4) {
      counts[index]! += 1;
      sum += 1;
    } else if (sum > total && counts[index]! > min) {
      counts[index]! -= 1;
      sum -= 1;
    }
  }

  return counts;
}

/** Item answers (0-3 each) that add up to `score`. */
function itemValues(random: TRandom, score: number, count: number) {
  const values = Array.from({ length: count }, () => 0);
  let remaining = Math.min(score, count * 3);
  while (remaining > 0) {
    const index = random.int(0, count - 1);
    if (values[index]! < 3) {
      values[index]! += 1;
      remaining -= 1;
    }
  }

  return values;
}

const CODEABLE = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }], ...(display ? { text: display } : {}) });

function answer(value: unknown) {
  if (typeof value === "number") return [{ valueInteger: value }];
  if (typeof value === "boolean") return [{ valueBoolean: value }];

  return [{ valueString: String(value) }];
}

function measureResponse(id: string, measure: TMeasure, patient: TDemoPatient, practitionerId: string, encounterId: string | null, at: number, score: number, random: TRandom): TFhirResource {
  const questionnaire = getQuestionnaire(measure.key)!;
  const values = itemValues(random, score, measure.itemCount);

  return {
    resourceType: "QuestionnaireResponse",
    id,
    questionnaire: questionnaireCanonical(measure.key),
    status: "completed",
    subject: ref("Patient", patient.id),
    ...(encounterId ? { encounter: ref("Encounter", encounterId) } : {}),
    authored: isoDateTime(at),
    author: ref("Practitioner", practitionerId),
    item: [
      ...values.map((value, index) => ({ linkId: `${measure.itemPrefix}-${index + 1}`, text: questionnaire.items[index]!.text, answer: [{ valueInteger: value }] })),
      { linkId: "total", text: "Total score", answer: [{ valueInteger: score }] },
    ],
  };
}

function fill(template: string, values: Record<string, string>) {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? "");
}

export type TClinicalOutput = { resources: TFhirResource[] };

export function buildClinical(random: TRandom, patients: TDemoPatient[], practitioners: TDemoPractitioner[], plan: TClinicalPlan): TClinicalOutput {
  const reference = DEMO_REFERENCE_DATE.getTime();
  const conditions: TFhirResource[] = [];
  const carePlans: TFhirResource[] = [];
  const goals: TFhirResource[] = [];
  const careTeams: TFhirResource[] = [];
  const encounters: TFhirResource[] = [];
  const notes: TFhirResource[] = [];
  const responses: TFhirResource[] = [];
  const observations: TFhirResource[] = [];
  const followUpCandidates: { patient: TDemoPatient; encounterId: string; at: number; practitionerId: string }[] = [];
  let referralsLeft = plan.referralPlanCount;
  let screenedLeft = plan.referralScreened.size;

  for (const patient of patients) {
    const practitioner = practitioners[patient.practitionerIndex]!;
    const clinic = Math.max(0, CLINIC_IDS.indexOf(patient.organizationId));
    const [code, display, track] = random.weighted(words.DIAGNOSES.map(([c, d, t, w]) => [[c, d, t as TTrack] as const, w] as const));
    const measure = MEASURES[track];
    const sessionCount = plan.encounterCounts[patient.index]!;
    const p = pad(patient.index + 1, 4);

    // Condition(s): the primary diagnosis, sometimes a second one.
    const conditionId = `cond-${p}-1`;
    conditions.push({
      resourceType: "Condition",
      id: conditionId,
      clinicalStatus: CODEABLE("http://terminology.hl7.org/CodeSystem/condition-clinical", sessionCount > 4 && random.chance(0.2) ? "resolved" : "active"),
      code: CODEABLE(CODE_SYSTEMS.icd10cm, code, display),
      subject: ref("Patient", patient.id),
      onsetDateTime: isoDate(patient.registeredAt - random.int(30, 700) * DAY_MS),
      recordedDate: isoDate(patient.registeredAt),
    });
    if (random.chance(0.25)) {
      const [code2, display2] = random.pick(words.DIAGNOSES.filter(([c]) => c !== code));
      conditions.push({
        resourceType: "Condition",
        id: `cond-${p}-2`,
        clinicalStatus: CODEABLE("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        code: CODEABLE(CODE_SYSTEMS.icd10cm, code2, display2),
        subject: ref("Patient", patient.id),
        recordedDate: isoDate(patient.registeredAt + 7 * DAY_MS),
      });
    }

    // Sessions between registration and the reference date, weekly to fortnightly.
    const span = reference - DAY_MS - patient.registeredAt;
    const step = Math.max(3 * DAY_MS, Math.min(14 * DAY_MS, Math.floor(span / Math.max(1, sessionCount))));
    const baseline = track === "depression" ? random.int(10, 22) : random.int(8, 18);
    const trajectory = random.weighted([["improving", 70], ["flat", 20], ["worsening", 10]] as const);
    const slope = trajectory === "improving" ? -random.int(10, 25) / 10 : trajectory === "worsening" ? random.int(3, 8) / 10 : 0;
    const scoreAt = (k: number) => Math.max(0, Math.min(measure.max, Math.round(baseline + slope * k + random.int(-2, 2))));
    const isTelehealthPerson = random.chance(0.3);
    let lastScore = baseline;

    for (let k = 0; k < sessionCount; k++) {
      const encounterId = `enc-${p}-${pad(k + 1, 2)}`;
      const day = patient.registeredAt + 2 * DAY_MS + k * step + random.int(0, 2) * DAY_MS;
      const start = Math.min(day, reference - DAY_MS) - (Math.min(day, reference - DAY_MS) % DAY_MS) + random.int(13, 21) * 3_600_000 + random.pick([0, 30]) * 60_000;
      const [cpt, cptDisplay, minutes] = k === 0 ? words.INTAKE_CPT : (([c, d, m]) => [c, d, m] as const)(random.weighted(words.FOLLOW_UP_CPT.map(([c, d, m, w]) => [[c, d, m] as const, w] as const)));
      const format = cpt === "90853" ? "group" : isTelehealthPerson || random.chance(0.15) ? (random.chance(0.85) ? "telehealth" : "phone") : "in-person";
      const location = format === "group" ? GROUP_LOCATION_BY_CLINIC[clinic]! : format === "telehealth" || format === "phone" ? TELEHEALTH_LOCATION : random.pick(locationsOfClinic(clinic));
      const end = start + minutes * 60_000;
      const score = k === 0 ? baseline : scoreAt(k);
      const severity = severityFor(getQuestionnaire(measure.key), score);
      encounters.push({
        resourceType: "Encounter",
        id: encounterId,
        status: "finished",
        class: { system: CODE_SYSTEMS.actCode, code: format === "telehealth" || format === "phone" ? "VR" : "AMB" },
        type: [{ coding: [{ system: CODE_SYSTEMS.cpt, code: cpt, display: cptDisplay }], text: cptDisplay }],
        extension: [
          { url: EXTENSIONS.deliveryFormat, valueCode: format },
          { url: EXTENSIONS.units, valueInteger: 1 },
        ],
        subject: ref("Patient", patient.id),
        participant: [{ type: [CODEABLE("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer")], individual: ref("Practitioner", practitioner.id) }],
        period: { start: isoDateTime(start), end: isoDateTime(end) },
        reasonCode: [{ coding: [{ system: CODE_SYSTEMS.icd10cm, code, display }], text: display }],
        location: [{ location: ref("Location", location) }],
        serviceProvider: ref("Organization", patient.organizationId),
      });

      const trend = score < lastScore ? "improving" : score > lastScore ? "worse" : "about the same";
      const scoreText = `${measure.key.toUpperCase()} ${score}/${measure.max} (${severity ?? "unscored"})`;
      const values = {
        trend,
        sleep: String(random.int(4, 8)),
        affect: random.pick(["constricted", "euthymic", "anxious", "dysphoric", "brighter"]),
        score: scoreText,
        progress: trajectory === "improving" ? "steady" : trajectory === "flat" ? "limited" : "not yet evident",
        diagnosis: display,
      };
      const note = {
        subjective: k === 0 ? `Intake. ${random.pick(words.PRESENTING_PROBLEMS)}` : fill(random.pick(words.SUBJECTIVE_LINES), values),
        objective: fill(random.pick(words.OBJECTIVE_LINES), values),
        assessment: fill(random.pick(words.ASSESSMENT_LINES), values),
        plan: random.pick(words.PLAN_LINES),
        // Real transcripts name the client; de-identification has to scrub them.
        transcript: `Therapist: Good to see you, ${patient.givenName}. How has this week been?\nClient: ${trend === "improving" ? "Better, honestly. I did most of the homework." : "Hard. I kept putting things off."}\nTherapist: Let's look at what got in the way and plan the next step.`,
        ai_notes: `Auto-summary: client reports ${trend} mood; ${scoreText}. Suggested focus: ${random.pick(words.INTERVENTIONS).toLowerCase()}.`,
        action_items: random.shuffle(words.ACTION_ITEMS).slice(0, random.int(1, 3)),
      };
      const signed = k < sessionCount - 1 || random.chance(0.8);
      notes.push({
        resourceType: "DocumentReference",
        id: `note-${p}-${pad(k + 1, 2)}`,
        status: "current",
        docStatus: signed ? "final" : "preliminary",
        type: CODEABLE(CODE_SYSTEMS.loinc, SESSION_NOTE_LOINC, "Progress note"),
        subject: ref("Patient", patient.id),
        date: isoDateTime(end + 30 * 60_000),
        author: [ref("Practitioner", practitioner.id)],
        content: [{ attachment: encodeSessionNote(note, random.chance(0.9) ? "json" : "text") }],
        context: { encounter: [ref("Encounter", encounterId)], period: { start: isoDateTime(start), end: isoDateTime(end) } },
      });

      const responseId = `qr-${p}-${measure.key}-${pad(k + 1, 2)}`;
      responses.push(measureResponse(responseId, measure, patient, practitioner.id, encounterId, start - 10 * 60_000, score, random));
      const questionnaire = getQuestionnaire(measure.key)!;
      observations.push({
        resourceType: "Observation",
        id: `obs-${p}-${pad(k + 1, 2)}`,
        status: "final",
        category: [CODEABLE("http://terminology.hl7.org/CodeSystem/observation-category", "survey", "Survey")],
        code: CODEABLE(CODE_SYSTEMS.loinc, questionnaire.totalLoinc ?? questionnaire.loinc ?? measure.key, `${questionnaire.title} total score`),
        subject: ref("Patient", patient.id),
        encounter: ref("Encounter", encounterId),
        effectiveDateTime: isoDateTime(start - 10 * 60_000),
        valueInteger: score,
      });
      if (k > 0) followUpCandidates.push({ patient, encounterId, at: start - DAY_MS, practitionerId: practitioner.id });
      lastScore = score;
    }

    // Registration and intake at the first contact.
    const registrationAt = patient.registeredAt;
    const [street, cityPart] = patient.addressText.split(", ");
    responses.push({
      resourceType: "QuestionnaireResponse",
      id: `qr-${p}-registration`,
      questionnaire: questionnaireCanonical("registration"),
      status: "completed",
      subject: ref("Patient", patient.id),
      authored: isoDateTime(registrationAt),
      item: [
        { linkId: "preferred-name", answer: answer(patient.givenName) },
        { linkId: "phone", answer: answer(patient.phone) },
        ...(patient.email ? [{ linkId: "email", answer: answer(patient.email) }] : []),
        { linkId: "address", answer: answer(patient.addressText) },
        ...(patient.emergencyName
          ? [{ linkId: "emergency-contact", item: [{ linkId: "emergency-contact-name", answer: answer(patient.emergencyName) }, { linkId: "emergency-contact-phone", answer: answer(patient.emergencyPhone) }] }]
          : []),
        { linkId: "referral-source", answer: answer(random.pick(words.REFERRAL_SOURCES)) },
        { linkId: "reason-for-visit", answer: answer(`${random.pick(words.PRESENTING_PROBLEMS)} I live at ${street} in ${cityPart} and can be reached at ${patient.phone}.`) },
      ],
    });
    responses.push({
      resourceType: "QuestionnaireResponse",
      id: `qr-${p}-intake`,
      questionnaire: questionnaireCanonical("intake"),
      status: "completed",
      subject: ref("Patient", patient.id),
      author: ref("Practitioner", practitioner.id),
      authored: isoDateTime(registrationAt + DAY_MS),
      item: [
        { linkId: "presenting-problem", answer: answer(`${random.pick(words.PRESENTING_PROBLEMS)} My name is ${patient.givenName} ${patient.familyName}.`) },
        { linkId: "symptom-duration", answer: [{ valueCoding: { code: random.pick(["lt-1-month", "1-6-months", "6-12-months", "gt-1-year"]) } }] },
        { linkId: "prior-treatment", answer: answer(random.chance(0.45)) },
        { linkId: "current-medications", answer: answer(random.pick(words.MEDICATIONS)) },
        { linkId: "substance-use", answer: [{ valueCoding: { code: random.weighted([["none", 60], ["occasional", 28], ["concerning", 12]] as const) } }] },
        { linkId: "safety-concerns", answer: answer(random.chance(0.08)) },
        { linkId: "sleep-hours", answer: answer(random.int(3, 9)) },
        { linkId: "treatment-goals", answer: answer(track === "depression" ? "Feel like myself again and get back to work and friends." : "Worry less and stop avoiding places.") },
      ],
    });

    // Treatment plan with measured goals.
    const planId = `cp-${p}-tx`;
    const goalIds: string[] = [];
    const target = track === "depression" ? 4 : 4;
    const currentScore = lastScore;
    const symptomGoalId = `goal-${p}-1`;
    goalIds.push(symptomGoalId);
    goals.push({
      resourceType: "Goal",
      id: symptomGoalId,
      lifecycleStatus: currentScore <= target ? "completed" : "active",
      achievementStatus: CODEABLE("http://terminology.hl7.org/CodeSystem/goal-achievement", currentScore <= target ? "achieved" : currentScore < baseline ? "improving" : currentScore > baseline ? "worsening" : "no-change"),
      description: { text: track === "depression" ? "Reduce depressive symptoms to the minimal range" : "Reduce anxiety symptoms to the minimal range" },
      subject: ref("Patient", patient.id),
      startDate: isoDate(registrationAt + DAY_MS),
      target: [{ measure: CODEABLE(CODE_SYSTEMS.loinc, getQuestionnaire(measure.key)!.totalLoinc ?? measure.key, `${measure.key.toUpperCase()} total score`), detailQuantity: { value: target, unit: "score" }, dueDate: isoDate(registrationAt + 180 * DAY_MS) }],
      extension: [
        { url: EXTENSIONS.goalBaseline, valueQuantity: { value: baseline, unit: "score" } },
        { url: EXTENSIONS.goalCurrent, valueQuantity: { value: currentScore, unit: "score" } },
      ],
      addresses: [ref("Condition", conditionId)],
    });
    if (random.chance(0.7)) {
      const goalId = `goal-${p}-2`;
      goalIds.push(goalId);
      const [description, unit, base, aim] = random.pick([
        ["Attend social or pleasant activities each week", "activities/week", 0, 3],
        ["Sleep at least 7 hours on most nights", "nights/week", 2, 5],
        ["Use a coping skill when distressed", "times/week", 0, 4],
        ["Return to work or school attendance", "days/week", 1, 5],
      ] as const);
      const current = Math.max(base, Math.min(aim, base + Math.round((aim - base) * (trajectory === "improving" ? random.int(40, 100) : random.int(0, 40)) / 100)));
      goals.push({
        resourceType: "Goal",
        id: goalId,
        lifecycleStatus: current >= aim ? "completed" : "active",
        description: { text: description },
        subject: ref("Patient", patient.id),
        startDate: isoDate(registrationAt + DAY_MS),
        target: [{ measure: { text: description }, detailQuantity: { value: aim, unit }, dueDate: isoDate(registrationAt + 120 * DAY_MS) }],
        extension: [
          { url: EXTENSIONS.goalBaseline, valueQuantity: { value: base, unit } },
          { url: EXTENSIONS.goalCurrent, valueQuantity: { value: current, unit } },
        ],
        addresses: [ref("Condition", conditionId)],
      });
    }
    const interventions = random.shuffle(words.INTERVENTIONS).slice(0, random.int(2, 4));
    carePlans.push({
      resourceType: "CarePlan",
      id: planId,
      status: sessionCount > 5 && trajectory === "improving" && random.chance(0.3) ? "completed" : "active",
      intent: "plan",
      category: [CODEABLE(CODE_SYSTEMS.carePlanCategory, CARE_PLAN_CATEGORY.treatmentPlan, "Treatment plan")],
      title: `Treatment plan: ${display}`,
      description: `Outpatient psychotherapy addressing ${display.toLowerCase()}, reviewed every 90 days.`,
      subject: ref("Patient", patient.id),
      period: { start: isoDate(registrationAt + DAY_MS), end: isoDate(registrationAt + 181 * DAY_MS) },
      addresses: [ref("Condition", conditionId)],
      goal: goalIds.map((id) => ref("Goal", id)),
      activity: interventions.map((text) => ({ detail: { description: text, status: "in-progress" } })),
    });
    careTeams.push({
      resourceType: "CareTeam",
      id: `team-${p}`,
      status: "active",
      name: `Care team for ${patient.id}`,
      subject: ref("Patient", patient.id),
      participant: [{ role: [{ text: "Primary therapist" }], member: ref("Practitioner", practitioner.id) }],
    });

    // Social-needs screening and the referrals it leads to.
    if (plan.referralScreened.has(patient.index)) {
      // Spread the remaining referral plans evenly over the remaining screened patients.
      const share = Math.min(words.REFERRAL_SERVICES.length, Math.ceil(referralsLeft / screenedLeft));
      const count = screenedLeft === 1 ? referralsLeft : random.int(Math.max(0, share - 1), share);
      const services = random.shuffle(words.REFERRAL_SERVICES).slice(0, Math.min(count, referralsLeft));
      referralsLeft -= services.length;
      screenedLeft -= 1;
      const needs = new Set(services.map(([key]) => key));
      responses.push({
        resourceType: "QuestionnaireResponse",
        id: `qr-${p}-referral`,
        questionnaire: questionnaireCanonical("referral"),
        status: "completed",
        subject: ref("Patient", patient.id),
        author: ref("Practitioner", practitioner.id),
        authored: isoDateTime(registrationAt + 3 * DAY_MS),
        item: [
          { linkId: "housing-instability", answer: answer(needs.has("housing")) },
          { linkId: "food-insecurity", answer: answer(needs.has("food")) },
          { linkId: "employment-support", answer: answer(needs.has("employment")) },
          { linkId: "substance-use-support", answer: answer(needs.has("substance-use")) },
          { linkId: "peer-support-interest", answer: answer(needs.has("peer-support")) },
          { linkId: "transportation-barrier", answer: answer(random.chance(0.2)) },
          { linkId: "screening-notes", answer: answer(needs.size ? `Discussed options with ${patient.givenName}; best number ${patient.phone}.` : "No needs identified today.") },
        ],
      });
      services.forEach(([key, title, partner], serviceIndex) => {
        const status = random.weighted([["eligible", 35], ["accepted", 40], ["declined", 10], ["completed", 15]] as const);
        carePlans.push({
          resourceType: "CarePlan",
          id: `cp-${p}-ref-${serviceIndex + 1}`,
          status: status === "completed" ? "completed" : status === "declined" ? "revoked" : status === "accepted" ? "active" : "draft",
          intent: "proposal",
          category: [CODEABLE(CODE_SYSTEMS.carePlanCategory, key, title)],
          extension: [{ url: EXTENSIONS.referralStatus, valueCode: status }],
          title,
          description: `Referral to ${title.toLowerCase()} via partner organization ${PARTNER_IDS[partner]}.`,
          subject: ref("Patient", patient.id),
          period: { start: isoDate(registrationAt + 4 * DAY_MS) },
        });
      });
    }
  }

  // Between-session follow-up questionnaires, spread over sessions after the first.
  for (const candidate of random.shuffle(followUpCandidates).slice(0, plan.followUpCount)) {
    responses.push({
      resourceType: "QuestionnaireResponse",
      id: `qr-${candidate.encounterId.slice(4)}-follow-up`,
      questionnaire: questionnaireCanonical("follow-up"),
      status: "completed",
      subject: ref("Patient", candidate.patient.id),
      encounter: ref("Encounter", candidate.encounterId),
      authored: isoDateTime(candidate.at),
      item: [
        { linkId: "overall-wellbeing", answer: answer(random.int(1, 5)) },
        { linkId: "medication-adherence", answer: [{ valueCoding: { code: random.pick(["not-prescribed", "always", "mostly", "sometimes", "rarely"]) } }] },
        { linkId: "homework-completed", answer: answer(random.chance(0.6)) },
        { linkId: "session-helpfulness", answer: answer(random.int(2, 5)) },
        { linkId: "comments", answer: answer(random.chance(0.3) ? `Call me at ${candidate.patient.phone} if the time changes. - ${candidate.patient.givenName}` : "Looking forward to next session.") },
      ],
    });
  }

  return { resources: [...conditions, ...carePlans, ...goals, ...careTeams, ...encounters, ...responses, ...observations, ...notes] };
}
