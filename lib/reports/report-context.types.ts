/**
 * The one object every report renders against (Liquid templates, JSON, CSV, FHIR writers).
 * snake_case keys because template authors type them. Contract: /work/briefs/REPORT_CONTEXT.md —
 * lib/templates/sample-context.ts builds a fictional sample of this same type. Both hand it out
 * with the product spec's names added (TReportContextWithAliases, below).
 */

export type TReportExportType = "session_notes" | "progress_report" | "treatment_summary" | "full_record" | "insurance_report";

export type TReportPurpose = "insurance" | "transfer" | "records";

/** One clinical note as written: a session can have several (an addendum, a co-therapist's note). */
export type TReportNote = {
  id: string;
  date: string; // YYYY-MM-DD
  author: string | null;
  subjective: string | null;
  objective: string | null;
  assessment: string | null;
  plan: string | null;
  transcript: string | null;
  ai_notes: string | null;
  action_items: string[];
};

export type TReportTreatmentPlan = {
  id: string;
  title: string;
  description: string | null;
  start: string | null;
  end: string | null;
  status: string | null;
  interventions: string[];
};

export type TReportContext = {
  export_type: TReportExportType;
  generated_at: string; // ISO datetime
  practice: { name: string; address: string; phone: string };
  period: { start: string; end: string } | null; // YYYY-MM-DD
  purpose: TReportPurpose | null; // treatment summary
  include_sections: Record<string, boolean>; // exactly the request's include_sections (all true by default)
  options: {
    include_transcript: boolean;
    include_ai_notes: boolean;
    include_action_items: boolean;
    /** Third-party names, phones and emails were replaced in note text (best effort: see thirdPartyScrubber). */
    scrub_third_party: boolean;
  };
  patient: {
    id: string;
    name: string;
    given_name: string;
    family_name: string;
    birth_date: string | null;
    age: number | null;
    gender: string | null;
    mrn: string | null;
    member_id: string | null;
    payer: string | null;
    phone: string | null;
    email: string | null;
    address: string | null;
  };
  therapist: { name: string; credentials: string | null; npi: string | null; organization: string | null };
  diagnoses: { code: string | null; description: string; onset: string | null; status: string | null }[];
  /** The plan the report is about: the one named, else the active one, else the latest. */
  treatment_plan: TReportTreatmentPlan | null;
  /** Every treatment plan the report covers: all of the patient's for the full record (newest first), else the one above. */
  treatment_plans: TReportTreatmentPlan[];
  goals: {
    description: string;
    measure: string | null;
    baseline: number | null;
    target: number | null;
    current: number | null;
    progress_percent: number | null;
    status: string | null;
  }[];
  assessments: { questionnaire: string; name: string; date: string; score: number | null; severity: string | null }[];
  assessment_trends: {
    questionnaire: string;
    name: string;
    max_score: number | null;
    points: { date: string; score: number }[];
    first: number | null;
    last: number | null;
    change: number | null;
  }[];
  /**
   * transcript / ai_notes / action_items are null / [] unless the option asks for them. A note
   * without an encounter is a row of its own (id = the note's id, no service).
   */
  sessions: {
    id: string;
    date: string;
    cpt_code: string | null;
    cpt_description: string | null;
    delivery_format: string | null;
    duration_minutes: number | null;
    units: number | null;
    practitioner: string | null;
    /** A note written without an encounter: a row of its own, no service billed. */
    is_note_only: boolean;
    /** The first note of the session (with transcript / ai_notes / action_items below); `notes` has them all. */
    note: { subjective: string | null; objective: string | null; assessment: string | null; plan: string | null } | null;
    transcript: string | null;
    ai_notes: string | null;
    action_items: string[];
    /** Every note of the session, oldest first. */
    notes: TReportNote[];
  }[];
  observations: { code: string | null; name: string; date: string | null; value: string }[];
  referrals: { service: string; status: string; date: string | null }[];
  summary: {
    presenting_problem: string | null;
    treatment_provided: string | null;
    progress: string | null;
    medical_necessity: string | null;
    recommendations: string | null;
    prognosis: string | null;
  };
  /** insurance_report only. */
  insurance: {
    claim: {
      provider_npi: string | null;
      provider_name: string;
      member_id: string | null;
      payer: string | null;
      diagnosis_codes: string[];
      /** The clinician who rendered each service (the encounter's practitioner), when known. */
      service_lines: { date: string; cpt_code: string; units: number; description: string | null; provider_name: string | null; provider_npi: string | null }[];
      total_units: number;
    };
  } | null;
  /** full_record. */
  timeline: { date: string; kind: string; text: string }[];
};

/** The spec's insurance claim format ("claim_info"), derived from `insurance.claim`. */
export type TSpecClaimInfo = {
  provider_npi: string | null;
  provider_name: string;
  /** The id the payer knows the patient by (the member id, as in the spec's "INS-12345"), not CareExport's patient.id. */
  patient_id: string | null;
  diagnosis_codes: string[];
  /** The CPT codes billed, each once, in order of first service. */
  procedure_codes: string[];
  /** The dates of service, each once, oldest first. */
  service_dates: string[];
  total_units: number;
};

/** The spec's clinical summary block: `summary` under the spec's four keys. */
export type TSpecClinicalSummary = Pick<TReportContext["summary"], "presenting_problem" | "treatment_provided" | "progress" | "medical_necessity">;

/**
 * The product spec's names ("Export & Reporting") for fields of the context, so templates and
 * integrations written against the spec work unchanged. Derived by withSpecAliases once the
 * context is final (period, sections and redaction applied), so an alias never disagrees with
 * its field. include_sections also carries the spec's section names (lib/templates/section-catalog.ts).
 */
export type TReportSpecAliases = {
  /** period.start (null without a period). */
  start_date: string | null;
  /** period.end (null without a period). */
  end_date: string | null;
  /** Each goal with progress_percentage beside progress_percent. */
  goals: (TReportContext["goals"][number] & { progress_percentage: number | null })[];
  /** insurance_report only, else null. */
  claim_info: TSpecClaimInfo | null;
  /** insurance_report only, else null. */
  clinical_summary: TSpecClinicalSummary | null;
};

/** What buildReportContext and sampleReportContext return: our fields and the spec's aliases. */
export type TReportContextWithAliases = Omit<TReportContext, "goals"> & TReportSpecAliases;
