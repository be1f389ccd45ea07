import { toCsv, type TCsvCell } from "@/lib/csv/csv";
import type { TReportContext } from "@/lib/reports/report-context.types";

type TCell = TCsvCell;

const SESSION_HEADER = [
  "patient_id", "session_id", "date", "cpt_code", "cpt_description", "delivery_format", "duration_minutes", "units", "practitioner",
  "subjective", "objective", "assessment", "plan", "transcript", "ai_notes", "action_items",
];

/** The long table every patient-level report shares: one row per fact, `section` telling which. */
const RECORD_HEADER = ["patient_id", "section", "date", "code", "name", "value", "status", "detail"];

const CLAIM_HEADER = ["patient_id", "member_id", "payer", "provider_npi", "provider_name", "diagnosis_codes", "service_date", "cpt_code", "units", "description"];

function sessionRows(context: TReportContext): TCell[][] {
  return context.sessions.map((session) => [
    context.patient.id, session.id, session.date, session.cpt_code, session.cpt_description, session.delivery_format, session.duration_minutes, session.units, session.practitioner,
    session.note?.subjective, session.note?.objective, session.note?.assessment, session.note?.plan, session.transcript, session.ai_notes, session.action_items.join("; "),
  ]);
}

function recordRows(context: TReportContext): TCell[][] {
  const id = context.patient.id;
  const rows: TCell[][] = [];
  const patient = context.patient;
  for (const [field, value] of Object.entries({ name: patient.name, birth_date: patient.birth_date, age: patient.age, gender: patient.gender, mrn: patient.mrn, member_id: patient.member_id, payer: patient.payer })) {
    if (value !== null) rows.push([id, "patient", null, null, field, value, null, null]);
  }
  for (const diagnosis of context.diagnoses) rows.push([id, "diagnosis", diagnosis.onset, diagnosis.code, diagnosis.description, null, diagnosis.status, null]);
  const plan = context.treatment_plan;
  if (plan) {
    rows.push([id, "treatment_plan", plan.start, null, plan.title, plan.end, plan.status, plan.description]);
    for (const intervention of plan.interventions) rows.push([id, "intervention", null, null, intervention, null, null, null]);
  }
  for (const goal of context.goals) {
    const detail = [goal.baseline !== null ? `baseline ${goal.baseline}` : null, goal.target !== null ? `target ${goal.target}` : null, goal.current !== null ? `current ${goal.current}` : null].filter(Boolean).join("; ");
    rows.push([id, "goal", null, goal.measure, goal.description, goal.progress_percent, goal.status, detail || null]);
  }
  for (const assessment of context.assessments) rows.push([id, "assessment", assessment.date, assessment.questionnaire, assessment.name, assessment.score, assessment.severity, null]);
  for (const session of context.sessions) {
    const note = session.note ? ["subjective", "objective", "assessment", "plan"].map((key) => session.note![key as keyof typeof session.note]).filter(Boolean).join(" | ") : null;
    rows.push([id, "session", session.date, session.cpt_code, session.cpt_description ?? "Session", session.units, session.delivery_format, note || null]);
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
  return claim.service_lines.map((line) => [context.patient.id, claim.member_id, claim.payer, claim.provider_npi, claim.provider_name, codes, line.date, line.cpt_code, line.units, line.description]);
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
