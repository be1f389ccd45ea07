import { z } from "zod";

import { ZCalendarDate } from "@/lib/dates/bounded-dates";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import type { TReportExportType } from "@/lib/reports/report-context.types";

/**
 * Request bodies of the five report endpoints (issue 4's API contract; field names kept as the spec has them).
 * The parsed body is what the job stores in `parameters` and what the job handler runs.
 */

export const REPORT_FORMATS = ["pdf", "docx", "json", "csv", "fhir"] as const;
export type TReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_EXPORT_TYPES = ["session_notes", "progress_report", "treatment_summary", "full_record", "insurance_report"] as const;

/** A real calendar date within 1900-01-01 .. 2100-12-31 (lib/dates/bounded-dates.ts). */
export const ZDate = ZCalendarDate;

const ZFormat = z.enum(REPORT_FORMATS, { message: `must be one of ${REPORT_FORMATS.join(", ")}` });
const ZId = z.string().trim().min(1, "is required").max(100);
const ZTemplateId = ZId.optional();

/** Every named section defaults to on; unknown section names are refused so a typo does not silently do nothing. */
function sections<const K extends string>(names: readonly K[]) {
  const shape = Object.fromEntries(names.map((name) => [name, z.boolean().default(true)])) as { [P in K]: z.ZodDefault<z.ZodBoolean> };
  const defaults = Object.fromEntries(names.map((name) => [name, true])) as { [P in K]: boolean };
  return z.strictObject(shape).default(defaults as never);
}

/** Redaction options shared by every report; the spec's three plus third-party scrubbing of note text. */
const ZOptions = z
  .object({
    include_transcript: z.boolean().default(false),
    include_ai_notes: z.boolean().default(false),
    include_action_items: z.boolean().default(false),
    /**
     * Replace third-party phone numbers, emails and names in note text (and in the encounter's reason
     * where a report shows it): the emergency contact's name, and names given as mentions after a label
     * ("Name: Jane Doe", "Contact: ...") or a relationship word ("sister Jordan"). A heuristic: other
     * names are not detected (see thirdPartyScrubber).
     */
    scrub_third_party: z.boolean().default(false),
  })
  .default({ include_transcript: false, include_ai_notes: false, include_action_items: false, scrub_third_party: false });

/** `end` must not be before `start`; the issue goes on the end field. */
function endNotBeforeStart<T extends Record<string, unknown>>(startKey: keyof T & string, endKey: keyof T & string) {
  return (value: T, ctx: z.RefinementCtx) => {
    const start = value[startKey];
    const end = value[endKey];
    if (typeof start === "string" && typeof end === "string" && end < start) {
      ctx.addIssue({ code: "custom", path: [endKey], message: `must not be before ${startKey}` });
    }
  };
}

export const ZSessionNotesRequest = z.object({
  session_ids: z.array(ZId).min(1, "must list at least one session").max(500, "at most 500 sessions per export"),
  format: ZFormat,
  template_id: ZTemplateId,
  options: ZOptions,
  batch: z.enum(["single", "zip"], { message: "must be single or zip" }).default("single"),
});

export const PROGRESS_REPORT_SECTIONS = [
  "patient_info",
  "treatment_goals",
  "goal_progress",
  "assessments",
  "session_summary",
  "clinical_observations",
  "recommendations",
  "diagnosis",
] as const;

export const ZProgressReportRequest = z
  .object({
    patient_id: ZId,
    start_date: ZDate,
    end_date: ZDate,
    format: ZFormat,
    template_id: ZTemplateId,
    include_sections: sections(PROGRESS_REPORT_SECTIONS),
    options: ZOptions,
  })
  .superRefine(endNotBeforeStart("start_date", "end_date"));

export const TREATMENT_SUMMARY_SECTIONS = ["diagnosis", "treatment_plan", "interventions_used", "progress_summary", "prognosis"] as const;

export const ZTreatmentSummaryRequest = z.object({
  patient_id: ZId,
  treatment_plan_id: ZId.optional(),
  format: ZFormat,
  template_id: ZTemplateId,
  purpose: z.enum(["insurance", "transfer", "records"], { message: "must be insurance, transfer or records" }),
  include_sections: sections(TREATMENT_SUMMARY_SECTIONS),
  options: ZOptions,
});

export const FULL_RECORD_SECTIONS = ["demographics", "treatment_plans", "sessions", "notes", "assessments", "timeline", "attachments"] as const;

const ZDateRange = z
  .object({ start: ZDate, end: ZDate })
  .superRefine(endNotBeforeStart("start", "end"));

export const ZFullRecordRequest = z.object({
  patient_id: ZId,
  format: ZFormat,
  template_id: ZTemplateId,
  include_sections: sections(FULL_RECORD_SECTIONS),
  /** Optional: without it the whole record is exported. */
  date_range: ZDateRange.optional(),
  options: ZOptions,
});

export const ZInsuranceReportRequest = z
  .object({
    patient_id: ZId,
    start_date: ZDate,
    end_date: ZDate,
    format: ZFormat,
    template_id: ZTemplateId,
    options: ZOptions,
  })
  .superRefine(endNotBeforeStart("start_date", "end_date"));

export const REPORT_REQUEST_SCHEMAS = {
  session_notes: ZSessionNotesRequest,
  progress_report: ZProgressReportRequest,
  treatment_summary: ZTreatmentSummaryRequest,
  full_record: ZFullRecordRequest,
  insurance_report: ZInsuranceReportRequest,
} as const satisfies Record<TReportExportType, z.ZodType>;

export type TSessionNotesRequest = z.infer<typeof ZSessionNotesRequest>;
export type TProgressReportRequest = z.infer<typeof ZProgressReportRequest>;
export type TTreatmentSummaryRequest = z.infer<typeof ZTreatmentSummaryRequest>;
export type TFullRecordRequest = z.infer<typeof ZFullRecordRequest>;
export type TInsuranceReportRequest = z.infer<typeof ZInsuranceReportRequest>;

/** A validated request, tagged with its export type (what a report job's `parameters` hold). */
export type TReportRequest =
  | ({ export_type: "session_notes" } & TSessionNotesRequest)
  | ({ export_type: "progress_report" } & TProgressReportRequest)
  | ({ export_type: "treatment_summary" } & TTreatmentSummaryRequest)
  | ({ export_type: "full_record" } & TFullRecordRequest)
  | ({ export_type: "insurance_report" } & TInsuranceReportRequest);

export function isReportExportType(value: string): value is TReportExportType {
  return (REPORT_EXPORT_TYPES as readonly string[]).includes(value);
}

/** Validates `body` for `exportType`; throws the API's 400 with issues naming each field. */
export function parseReportRequest(exportType: TReportExportType, body: unknown): TReportRequest {
  const data = parseOrThrow(REPORT_REQUEST_SCHEMAS[exportType] as z.ZodType, body, "Invalid report request");
  return { export_type: exportType, ...(data as object) } as TReportRequest;
}

const DEFAULT_PERIOD_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * The period a new report starts with: the last 90 days, or, for a patient last seen before
 * that, the 90 days up to their latest session, so the default never produces an empty report
 * for someone whose care has paused. Dates are YYYY-MM-DD (UTC).
 */
export function defaultReportPeriod(latestSessionAt: string | Date | null, today = new Date()): { start: string; end: string } {
  const latest = latestSessionAt ? new Date(latestSessionAt) : null;
  const end = latest && !Number.isNaN(latest.getTime()) && latest.getTime() < today.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS ? latest : today;
  const start = new Date(end.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);

  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}
