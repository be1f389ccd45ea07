import { toCsv, type TCsvCell } from "@/lib/csv/csv";
import type { TReportContext, TReportNote } from "@/lib/reports/report-context.types";

type TCell = TCsvCell;

const SESSION_HEADER = [
  "patient_id", "session_id", "date", "cpt_code", "cpt_description", "delivery_format", "duration_minutes", "units", "practitioner",
  "subjective", "objective", "assessment", "plan", "transcript", "ai_notes", "action_items", "note_id", "note_date", "note_author",
];

/** The long table every patient-level report shares: one row per fact, `section` telling which. */
const RECORD_HEADER = ["patient_id", "section", "date", "code", "name", "value", "status", "detail"];

const CLAIM_HEADER = ["patient_id", "member_id", "payer", "provider_npi", "provider_name", "diagnosis_codes", "service_date", "cpt_code", "units", "description"];

/** Every note of a session (a context built before `notes` existed: its single note). */
function notesOf(session: TReportContext["sessions"][number]): TReportNote[] {
  if (session.notes) return session.notes;
  if (!session.note) return [];

  return [{ id: "", date: session.date, author: null, ...session.note, transcript: session.transcript, ai_notes: session.ai_notes, action_items: session.action_items }];
}

/** One row per note (a session without a note: one row with empty note columns). */
function sessionRows(context: TReportContext): TCell[][] {
  return context.sessions.flatMap((session) => {
    const visit = [context.patient.id, session.id, session.date, session.cpt_code, session.cpt_description, session.delivery_format, session.duration_minutes, session.units, session.practitioner];
    const notes = notesOf(session);
    if (notes.length === 0) return [[...visit, null, null, null, null, null, null, null, null, null, null]];

    return notes.map((note) => [...visit, note.subjective, note.objective, note.assessment, note.plan, note.transcript, note.ai_notes, note.action_items.join("; "), note.id || null, note.date, note.author]);
  });
}

function recordRows(context: TReportContext): TCell[][] {
  const id = context.patient.id;
  const rows: TCell[][] = [];
  const patient = context.patient;
  for (const [field, value] of Object.entries({ name: patient.name, birth_date: patient.birth_date, age: patient.age, gender: patient.gender, mrn: patient.mrn, member_id: patient.member_id, payer: patient.payer })) {
    if (value !== null) rows.push([id, "patient", null, null, field, value, null, null]);
  }
  for (const diagnosis of context.diagnoses) rows.push([id, "diagnosis", diagnosis.onset, diagnosis.code, diagnosis.description, null, diagnosis.status, null]);
  for (const plan of context.treatment_plans ?? (context.treatment_plan ? [context.treatment_plan] : [])) {
    rows.push([id, "treatment_plan", plan.start, null, plan.title, plan.end, plan.status, plan.description]);
    for (const intervention of plan.interventions) rows.push([id, "intervention", null, null, intervention, null, null, plan.title]);
  }
  for (const goal of context.goals) {
    const detail = [goal.baseline !== null ? `baseline ${goal.baseline}` : null, goal.target !== null ? `target ${goal.target}` : null, goal.current !== null ? `current ${goal.current}` : null].filter(Boolean).join("; ");
    rows.push([id, "goal", null, goal.measure, goal.description, goal.progress_percent, goal.status, detail || null]);
  }
  for (const assessment of context.assessments) rows.push([id, "assessment", assessment.date, assessment.questionnaire, assessment.name, assessment.score, assessment.severity, null]);
  for (const session of context.sessions) {
    if (!session.is_note_only) rows.push([id, "session", session.date, session.cpt_code, session.cpt_description ?? "Session", session.units, session.delivery_format, null]);
    for (const note of notesOf(session)) {
      const text = [note.subjective, note.objective, note.assessment, note.plan].filter(Boolean).join(" | ");
      rows.push([id, "note", note.date, session.is_note_only ? null : session.id, note.author ?? "Clinical note", null, null, text || null]);
    }
  }
  for (const observation of context.observations) rows.push([id, "observation", observation.date, observation.code, observation.name, observation.value, null, null]);
  for (const referral of context.referrals) rows.push([id, "referral", referral.date, null, referral.service, null, referral.status, null]);
  for (const [field, value] of Object.entries(context.summary)) if (value) rows.push([id, "summary", null, null, field, value, null, null]);
  for (const event of context.timeline) rows.push([id, "timeline", event.date, null, event.kind, event.text, null, null]);

  return rows;
}

function claimRows(context: TReportContext): TCell[][] {
  const claim = context.insurance?.claim;
  if (!claim) return [];
  const codes = claim.diagnosis_codes.join(" ");
  // Each line names the clinician who rendered it; the claim-level provider only when a line has none.
  return claim.service_lines.map((line) => [
    context.patient.id, claim.member_id, claim.payer, line.provider_npi ?? (line.provider_name ? null : claim.provider_npi), line.provider_name ?? claim.provider_name, codes, line.date, line.cpt_code, line.units, line.description,
  ]);
}

/** A flat table per export type: sessions for session notes, service lines for insurance, a long fact table otherwise. */
export function writeReportCsv(context: TReportContext): Buffer {
  switch (context.export_type) {
    case "session_notes":
      return toCsv(SESSION_HEADER, sessionRows(context));
    case "insurance_report":
      return toCsv(CLAIM_HEADER, claimRows(context));
    default:
      return toCsv(RECORD_HEADER, recordRows(context));
  }
}
