// A realistic but entirely FICTIONAL report context (no real person, practice or NPI holder),
// used for template previews and to detect unknown variables when a template is saved. Every
// list is non-empty and every option on, so validation walks every guarded branch it can.
import type { TReportContext, TReportContextWithAliases, TReportExportType, TReportNote, TReportTreatmentPlan } from "@/lib/reports/report-context.types";
import { withSpecAliases } from "@/lib/reports/spec-aliases";
import { sectionNamesOf } from "@/lib/templates/section-catalog";

const SESSION_DATES = ["2026-01-06", "2026-01-20", "2026-02-03", "2026-02-17", "2026-03-03", "2026-03-17"];
const PHQ9 = [17, 15, 13, 11, 9, 7];
const GAD7 = [14, 13, 11, 9, 8, 6];

function severityPhq9(score: number) {
  return score >= 20 ? "Severe" : score >= 15 ? "Moderately severe" : score >= 10 ? "Moderate" : score >= 5 ? "Mild" : "Minimal";
}

function severityGad7(score: number) {
  return score >= 15 ? "Severe" : score >= 10 ? "Moderate" : score >= 5 ? "Mild" : "Minimal";
}

/** The session's single-note fields, from its first note (as buildReportContext fills them). */
function firstNoteFields(note: TReportNote) {
  return {
    note: { subjective: note.subjective, objective: note.objective, assessment: note.assessment, plan: note.plan },
    transcript: note.transcript,
    ai_notes: note.ai_notes,
    action_items: note.action_items,
  };
}

const SESSION_NOTES = [
  { s: "Reports low mood most days, early waking, and avoiding friends since a job loss in November.", a: "Presentation consistent with major depressive disorder, moderate, with comorbid generalized anxiety.", p: "Begin CBT; behavioural activation schedule; PHQ-9 and GAD-7 every two weeks." },
  { s: "Completed three of five planned activities. Sleep still fragmented (about 5 hours).", a: "Early engagement with behavioural activation; worry remains high around finances.", p: "Introduce thought record; sleep hygiene handout; continue activity scheduling." },
  { s: "Used thought records four times. Noted catastrophic predictions about job interviews.", a: "Developing skill in identifying automatic thoughts; mood slightly improved.", p: "Cognitive restructuring of interview-related thoughts; graded exposure to networking calls." },
  { s: "Attended one interview; anxiety 6/10 beforehand, 3/10 after. Sleeping about 6 hours.", a: "Meaningful progress on avoidance; PHQ-9 now in the moderate range.", p: "Continue restructuring; add worry-time technique; review relapse signs." },
  { s: "Reconnected with two friends; walking 20 minutes on four days a week.", a: "Mood improving, functional gains at home and socially.", p: "Consolidate gains; begin relapse-prevention plan." },
  { s: "Started part-time work. Occasional low days, managed with activity plan.", a: "Mild residual symptoms; goals largely on track.", p: "Reduce frequency to every three weeks; finalise relapse-prevention plan." },
];

const AUTHOR = "Dana Whitfield, PhD, LP";
const OBJECTIVE = "Alert and oriented, good eye contact, speech normal rate, affect congruent with mood.";

/** A second note on the fourth session: the clinician's addendum after a follow-up call. */
const addendum = (): TReportNote => ({
  id: "sample-note-4-addendum",
  date: "2026-02-18",
  author: AUTHOR,
  subjective: "Addendum: client phoned the day after the session to say the interview went well and they slept about 7 hours.",
  objective: "Telephone contact, 10 minutes. Speech normal rate and volume.",
  assessment: "No new risk; consistent with the session's assessment.",
  plan: "No change to the plan.",
  transcript: null,
  ai_notes: null,
  action_items: [],
});

/** A note written without a session (a collateral call): a full record lists it as a row of its own. */
const collateralNote = (): TReportNote => ({
  id: "sample-note-collateral",
  date: "2026-02-10",
  author: AUTHOR,
  subjective: "Collateral call, with the client's written consent, to the vocational rehabilitation counsellor about pacing the return to work.",
  objective: null,
  assessment: "Return-to-work plan is realistic and supports the activity goals.",
  plan: "Review the plan with the client at the next session.",
  transcript: null,
  ai_notes: null,
  action_items: [],
});

const currentPlan = (): TReportTreatmentPlan => ({
  id: "sample-plan-2",
  title: "Depression and anxiety: CBT treatment plan",
  description: "Weekly to biweekly individual cognitive behavioural therapy targeting mood, worry and avoidance.",
  start: "2026-01-06",
  end: "2026-06-30",
  status: "active",
  interventions: ["Cognitive behavioural therapy (CBT)", "Behavioural activation", "Cognitive restructuring", "Sleep hygiene education", "Relapse-prevention planning"],
});

const earlierPlan = (): TReportTreatmentPlan => ({
  id: "sample-plan-1",
  title: "Initial assessment and stabilisation plan",
  description: "Assessment, safety planning and psychoeducation until weekly CBT could start.",
  start: "2025-11-10",
  end: "2026-01-05",
  status: "completed",
  interventions: ["Diagnostic assessment", "Safety planning", "Psychoeducation about depression and anxiety"],
});

type TSession = TReportContext["sessions"][number];

/**
 * A complete fictional context for one export type, shaped as buildReportContext shapes it: each
 * session's `note` (and transcript, AI notes, action items) is its first note, `notes` all of them;
 * the full record has a note written without a session and every treatment plan (newest first),
 * other types the current plan only; claim lines name their rendering provider. The product spec's
 * aliases are added as buildReportContext adds them, so a template using them validates.
 */
export function sampleReportContext(exportType: TReportExportType = "progress_report"): TReportContextWithAliases {
  const isInsurance = exportType === "insurance_report";
  const isFullRecord = exportType === "full_record";
  const visits: TSession[] = SESSION_DATES.map((date, index) => {
    const first: TReportNote = {
      id: `sample-note-${index + 1}`,
      date,
      author: AUTHOR,
      subjective: SESSION_NOTES[index]!.s,
      objective: OBJECTIVE,
      assessment: SESSION_NOTES[index]!.a,
      plan: SESSION_NOTES[index]!.p,
      transcript: "Therapist: How did the activity schedule go this week?\nClient: Better than I expected, I managed most of it.",
      ai_notes: "Client reports improved adherence to the activity schedule; consider reinforcing mastery activities.",
      action_items: ["Complete thought record three times this week", "Walk 20 minutes on four days"],
    };
    const notes = index === 3 ? [first, addendum()] : [first];
    return {
      id: `sample-session-${index + 1}`,
      date,
      cpt_code: index === 0 ? "90791" : "90837",
      cpt_description: index === 0 ? "Psychiatric diagnostic evaluation" : "Psychotherapy, 60 minutes",
      delivery_format: index % 3 === 2 ? "telehealth" : "in-person",
      duration_minutes: index === 0 ? 75 : 55,
      units: 1,
      practitioner: AUTHOR,
      is_note_only: false,
      ...firstNoteFields(first),
      notes,
    };
  });
  const collateral = collateralNote();
  const noteOnly: TSession = {
    id: collateral.id,
    date: collateral.date,
    cpt_code: null,
    cpt_description: null,
    delivery_format: null,
    duration_minutes: null,
    units: null,
    practitioner: collateral.author,
    is_note_only: true,
    ...firstNoteFields(collateral),
    notes: [collateral],
  };
  const sessions = isFullRecord ? [...visits, noteOnly].sort((a, b) => a.date.localeCompare(b.date)) : visits;

  const context: TReportContext = {
    export_type: exportType,
    generated_at: "2026-03-20T15:30:00.000Z",
    practice: { name: "Lakeside Behavioral Health (sample)", address: "400 Harbor Way, Suite 210, Portland, OR 97201", phone: "(503) 555-0142" },
    period: exportType === "treatment_summary" ? null : { start: "2026-01-01", end: "2026-03-31" },
    purpose: exportType === "treatment_summary" ? "records" : null,
    include_sections: Object.fromEntries(sectionNamesOf(exportType).map((name) => [name, true])),
    options: { include_transcript: true, include_ai_notes: true, include_action_items: true, scrub_third_party: true },
    patient: {
      id: "sample-patient-1",
      name: "Jordan A. Rivera",
      given_name: "Jordan",
      family_name: "Rivera",
      birth_date: "1988-07-14",
      age: 37,
      gender: "non-binary",
      mrn: "MRN-000417",
      member_id: "XWP904471203",
      payer: "Cascade Health Plan (sample)",
      phone: "(503) 555-0188",
      email: "jordan.rivera@example.org",
      address: "1820 SE Alder St, Portland, OR 97214",
    },
    therapist: { name: "Dana Whitfield", credentials: "PhD, LP", npi: "1234567893", organization: "Lakeside Behavioral Health (sample)" },
    diagnoses: [
      { code: "F33.1", description: "Major depressive disorder, recurrent, moderate", onset: "2025-11-10", status: "active" },
      { code: "F41.1", description: "Generalized anxiety disorder", onset: "2025-11-10", status: "active" },
    ],
    treatment_plan: currentPlan(),
    treatment_plans: isFullRecord ? [currentPlan(), earlierPlan()] : [currentPlan()],
    goals: [
      { description: "Reduce depressive symptoms to the mild range", measure: "PHQ-9 total score", baseline: 17, target: 5, current: 7, progress_percent: 83, status: "in-progress" },
      { description: "Reduce worry and physiological anxiety", measure: "GAD-7 total score", baseline: 14, target: 5, current: 6, progress_percent: 89, status: "in-progress" },
      { description: "Increase pleasant or mastery activities", measure: "Activities per week", baseline: 1, target: 5, current: 4, progress_percent: 75, status: "in-progress" },
      { description: "Improve sleep duration", measure: "Average hours per night", baseline: 5, target: 7, current: 6.5, progress_percent: 75, status: "in-progress" },
    ],
    assessments: SESSION_DATES.flatMap((date, index) => [
      { questionnaire: "phq-9", name: "PHQ-9", date, score: PHQ9[index]!, severity: severityPhq9(PHQ9[index]!) },
      { questionnaire: "gad-7", name: "GAD-7", date, score: GAD7[index]!, severity: severityGad7(GAD7[index]!) },
    ]),
    assessment_trends: [
      { questionnaire: "phq-9", name: "PHQ-9", max_score: 27, points: SESSION_DATES.map((date, i) => ({ date, score: PHQ9[i]! })), first: 17, last: 7, change: -10 },
      { questionnaire: "gad-7", name: "GAD-7", max_score: 21, points: SESSION_DATES.map((date, i) => ({ date, score: GAD7[i]! })), first: 14, last: 6, change: -8 },
    ],
    sessions,
    observations: [
      { code: "93832-4", name: "Sleep duration", date: "2026-03-17", value: "6.5 h" },
      { code: null, name: "Suicide risk screen", date: "2026-03-17", value: "Negative (no ideation reported)" },
    ],
    referrals: [{ service: "Vocational rehabilitation counselling", status: "completed", date: "2026-02-05" }],
    summary: {
      presenting_problem: "Low mood, anhedonia, early waking and pervasive worry following job loss, with social withdrawal and avoidance of job seeking.",
      treatment_provided: "Six sessions of individual CBT (one diagnostic evaluation, five 60-minute psychotherapy sessions) with behavioural activation, cognitive restructuring and sleep hygiene.",
      progress: "PHQ-9 improved from 17 to 7 and GAD-7 from 14 to 6. The client has returned to part-time work and resumed social contact.",
      medical_necessity: "Residual symptoms and recent severity warrant continued psychotherapy to consolidate gains and prevent relapse of a recurrent depressive disorder.",
      recommendations: "Continue CBT every three weeks for three months; complete relapse-prevention plan; reassess PHQ-9 and GAD-7 monthly.",
      prognosis: "Good, given engagement, early response and social supports.",
    },
    insurance: isInsurance
      ? {
          claim: {
            provider_npi: "1234567893",
            provider_name: "Dana Whitfield, PhD, LP",
            member_id: "XWP904471203",
            payer: "Cascade Health Plan (sample)",
            diagnosis_codes: ["F33.1", "F41.1"],
            service_lines: sessions
              .filter((session) => session.cpt_code)
              .map((session) => ({ date: session.date, cpt_code: session.cpt_code!, units: session.units ?? 1, description: session.cpt_description, provider_name: AUTHOR, provider_npi: "1234567893" })),
            total_units: sessions.filter((session) => session.cpt_code).reduce((sum, session) => sum + (session.units ?? 1), 0),
          },
        }
      : null,
    timeline: [
      { date: "2025-11-10", kind: "diagnosis", text: "Diagnosed: major depressive disorder, recurrent, moderate (F33.1)" },
      { date: "2026-01-06", kind: "treatment_plan", text: "Treatment plan started: Depression and anxiety: CBT treatment plan" },
      { date: "2026-01-06", kind: "session", text: "Diagnostic evaluation (90791)" },
      { date: "2026-01-06", kind: "assessment", text: "PHQ-9 17 (moderately severe); GAD-7 14 (moderate)" },
      { date: "2026-02-05", kind: "referral", text: "Referral to vocational rehabilitation counselling" },
      ...(isFullRecord ? [{ date: "2026-02-10", kind: "note", text: "Clinical note by Dana Whitfield, PhD, LP (no session recorded)" }] : []),
      { date: "2026-03-17", kind: "assessment", text: "PHQ-9 7 (mild); GAD-7 6 (mild)" },
    ],
  };

  return withSpecAliases(context);
}
