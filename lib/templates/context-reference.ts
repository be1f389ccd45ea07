// What a template can read: the reference list the template editor shows beside the source.
// Kept honest by context-reference.test.ts: every variable listed renders under strict
// validation for the export types it names, and every field of the sample context is listed.
import type { TReportExportType } from "@/lib/reports/report-context.types";

export type TContextReferenceEntry = {
  /** A variable, or with `fields` an object / loop item: `goals[]` is read as `{% for goal in goals %}`. */
  path: string;
  fields?: readonly string[];
  description: string;
  /** The export types that have it (default: all). */
  exportTypes?: readonly TReportExportType[];
  /** The field this is the product spec's name for. */
  specAliasOf?: string;
};

export type TContextReferenceGroup = { title: string; entries: readonly TContextReferenceEntry[] };

const WITH_PERIOD: readonly TReportExportType[] = ["session_notes", "progress_report", "full_record", "insurance_report"];
const INSURANCE: readonly TReportExportType[] = ["insurance_report"];
const PLAN_FIELDS = ["id", "title", "description", "start", "end", "status", "interventions"] as const;
const NOTE_FIELDS = ["id", "date", "author", "subjective", "objective", "assessment", "plan", "transcript", "ai_notes", "action_items"] as const;

export const CONTEXT_REFERENCE: readonly TContextReferenceGroup[] = [
  {
    title: "Document",
    entries: [
      { path: "export_type", description: "session_notes, progress_report, treatment_summary, full_record or insurance_report" },
      { path: "generated_at", description: "When the document was produced (ISO date and time)" },
      { path: "practice", fields: ["name", "address", "phone"], description: "The practice's letterhead" },
      { path: "period", fields: ["start", "end"], description: "The reporting period (YYYY-MM-DD); null for a whole record", exportTypes: WITH_PERIOD },
      { path: "start_date", description: "The period's first day", specAliasOf: "period.start" },
      { path: "end_date", description: "The period's last day", specAliasOf: "period.end" },
      { path: "purpose", description: "A treatment summary's purpose: insurance, transfer or records (else null)" },
      { path: "include_sections", description: "The sections switched on, by name: see the sections below" },
      { path: "options", fields: ["include_transcript", "include_ai_notes", "include_action_items", "scrub_third_party"], description: "The redaction options of the export" },
    ],
  },
  {
    title: "Patient and clinician",
    entries: [
      {
        path: "patient",
        fields: ["id", "name", "given_name", "family_name", "birth_date", "age", "gender", "mrn", "member_id", "payer", "phone", "email", "address"],
        description: "The patient (contact details are empty when a section or the insurance purpose leaves them out)",
      },
      { path: "therapist", fields: ["name", "credentials", "npi", "organization"], description: "The clinician the report is produced for (the signature block)" },
    ],
  },
  {
    title: "Clinical content",
    entries: [
      { path: "diagnoses[]", fields: ["code", "description", "onset", "status"], description: "Each diagnosis: ICD-10 code and description" },
      { path: "treatment_plan", fields: PLAN_FIELDS, description: "The plan the report is about (null without one)" },
      { path: "treatment_plans[]", fields: PLAN_FIELDS, description: "Every plan the report covers (the full record: all of them)" },
      { path: "goals[]", fields: ["description", "measure", "baseline", "target", "current", "progress_percent", "status"], description: "Each goal with its measured values" },
      { path: "goals[].progress_percentage", description: "The goal's progress in percent", specAliasOf: "goals[].progress_percent" },
      { path: "assessments[]", fields: ["questionnaire", "name", "date", "score", "severity"], description: "Each questionnaire score in the period" },
      { path: "assessment_trends[]", fields: ["questionnaire", "name", "max_score", "first", "last", "change"], description: "Scores per questionnaire over the period" },
      { path: "assessment_trends[].points[]", fields: ["date", "score"], description: "Each score of a trend" },
      { path: "observations[]", fields: ["code", "name", "date", "value"], description: "Each observation in the period" },
      { path: "referrals[]", fields: ["service", "status", "date"], description: "Each referral" },
      { path: "timeline[]", fields: ["date", "kind", "text"], description: "The record's events, oldest first (full record)" },
      {
        path: "summary",
        fields: ["presenting_problem", "treatment_provided", "progress", "medical_necessity", "recommendations", "prognosis"],
        description: "Plain-language summary lines derived from the data, for the clinician to review",
      },
    ],
  },
  {
    title: "Sessions and notes",
    entries: [
      {
        path: "sessions[]",
        fields: ["id", "date", "cpt_code", "cpt_description", "delivery_format", "duration_minutes", "units", "practitioner", "is_note_only", "transcript", "ai_notes", "action_items"],
        description: "Each session (a note written without one is a row with is_note_only)",
      },
      { path: "sessions[].note", fields: ["subjective", "objective", "assessment", "plan"], description: "The session's first note (SOAP)" },
      { path: "sessions[].notes[]", fields: NOTE_FIELDS, description: "Every note of the session, oldest first" },
    ],
  },
  {
    title: "Insurance claim",
    entries: [
      { path: "insurance", description: "The claim (null outside the insurance report)" },
      { path: "insurance.claim", fields: ["provider_npi", "provider_name", "member_id", "payer", "diagnosis_codes", "total_units"], description: "Claim-level facts", exportTypes: INSURANCE },
      { path: "insurance.claim.service_lines[]", fields: ["date", "cpt_code", "units", "description", "provider_name", "provider_npi"], description: "Each billed service", exportTypes: INSURANCE },
      { path: "claim_info", description: "The spec's claim block (null outside the insurance report)", specAliasOf: "insurance.claim" },
      {
        path: "claim_info",
        fields: ["provider_npi", "provider_name", "patient_id", "diagnosis_codes", "procedure_codes", "service_dates", "total_units"],
        description: "patient_id is the member id the payer knows the patient by; procedure codes and service dates each once",
        exportTypes: INSURANCE,
        specAliasOf: "insurance.claim",
      },
      { path: "clinical_summary", description: "The spec's clinical summary (null outside the insurance report)", specAliasOf: "summary" },
      {
        path: "clinical_summary",
        fields: ["presenting_problem", "treatment_provided", "progress", "medical_necessity"],
        description: "The same four lines as summary",
        exportTypes: INSURANCE,
        specAliasOf: "summary",
      },
    ],
  },
];

/** The variable names an entry stands for, as a template writes them (`goals[].baseline`). */
export function referencePaths(entry: TContextReferenceEntry): string[] {
  return entry.fields ? entry.fields.map((field) => `${entry.path}.${field}`) : [entry.path];
}

export function appliesTo(entry: TContextReferenceEntry, exportType: TReportExportType) {
  return !entry.exportTypes || entry.exportTypes.includes(exportType);
}
