// Turns a stored schedule into the request of one run: the same body the POST
// /api/v1/export/<type> endpoints take, with a relative period resolved against the run's
// scheduled time (never the wall clock at execution, so a late or retried run still covers
// the period its slot stands for).
import { z } from "zod";

import { AppError } from "@/lib/errors/app-error";
import { toIssues } from "@/lib/errors/parse-or-throw";
import { BATCH_REPORT_TYPES, parseBatchReportRequest } from "@/lib/reports/batch-report-request";
import { REPORT_FORMATS, REPORT_REQUEST_SCHEMAS } from "@/lib/reports/report-requests";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { schedulePeriodOf } from "@/lib/schedules/schedule-period";
import { resolvePeriod } from "@/lib/schedules/time";
import { ZScheduleOwnParameters } from "@/lib/schedules/schedule-input";

export type TReportScheduleFacts = {
  exportType: string;
  /** daily / weekly / monthly: sets the period when parameters give none (schedule-period.ts). */
  scheduleType: string;
  patientId: string | null;
  templateId: string | null;
  format: string;
  parameters: unknown;
};

/** Parameters that steer the schedule itself and are not part of the report request. */
const SCHEDULE_ONLY_PARAMETERS = ["period", "email_attach_file", "delivery_mode"] as const;

export function reportBodyFor(schedule: TReportScheduleFacts, scheduledFor: Date, timeZone: string): Record<string, unknown> {
  const parameters = { ...((schedule.parameters ?? {}) as Record<string, unknown>) };
  const { period } = schedulePeriodOf({ ...schedule, parameters });
  for (const key of SCHEDULE_ONLY_PARAMETERS) delete parameters[key];

  const body: Record<string, unknown> = { ...parameters, format: schedule.format };
  if (schedule.templateId) body.template_id = schedule.templateId;
  // The schedule's patient wins over anything in parameters: it is what the policy checked.
  delete body.patient_id;
  if (schedule.patientId) body.patient_id = schedule.patientId;
  if (period) {
    const resolved = resolvePeriod(period, scheduledFor, timeZone);
    if (schedule.exportType === "full_record") body.date_range = { start: resolved.start, end: resolved.end };
    else {
      body.start_date = resolved.start;
      body.end_date = resolved.end;
    }
  }

  return body;
}

/** Parameters only a practice-wide report schedule takes (its runs are batch reports: lib/reports/batch-*.ts). */
const BATCH_SCHEDULE_PARAMETERS = ["combined", "organization_id"] as const;

/**
 * A practice-wide schedule of a report about one patient (every type but session notes, which are
 * chosen by session) runs as a batch report over the practice, or over one organization.
 */
export function isBatchSchedule(schedule: { exportType: string; patientId: string | null }) {
  return schedule.patientId === null && (BATCH_REPORT_TYPES as readonly string[]).includes(schedule.exportType);
}

/** The batch request of one run of a practice-wide schedule: the report's body, its patients chosen by scope. */
export function batchBodyFor(schedule: TReportScheduleFacts, scheduledFor: Date, timeZone: string): Record<string, unknown> {
  const body = reportBodyFor(schedule, scheduledFor, timeZone);

  return { ...body, export_type: schedule.exportType, scope: body.organization_id === undefined ? "practice" : "organization" };
}

/** The format a report schedule runs with: parameters.format, else the template's if it is a report format, else PDF. */
export function reportFormatOf(parameters: Record<string, unknown>, templateFormat: string | null): string {
  if (typeof parameters.format === "string") return parameters.format;
  if (templateFormat && (REPORT_FORMATS as readonly string[]).includes(templateFormat)) return templateFormat;

  return "pdf";
}

/** Request fields a schedule sets from its own fields and each run's slot, never from `parameters`. */
const FIELDS_SET_BY_THE_SCHEDULE = new Set(["patient_id", "template_id", "start_date", "end_date", "date_range"]);

/** The parameters a report schedule of this type accepts: its request's own fields, plus the schedule's. */
export function reportScheduleParameterNames(exportType: TReportExportType, isBatch = false): string[] {
  const shape = (REPORT_REQUEST_SCHEMAS[exportType] as unknown as { shape: Record<string, unknown> }).shape;
  // A batch uses each patient's own plan.
  const own = Object.keys(shape).filter((name) => !FIELDS_SET_BY_THE_SCHEDULE.has(name) && !(isBatch && name === "treatment_plan_id"));

  return [...SCHEDULE_ONLY_PARAMETERS, ...own, ...(isBatch ? BATCH_SCHEDULE_PARAMETERS : [])];
}

function invalidParameters(issues: { path: string; message: string }[]): never {
  throw new AppError("INVALID_INPUT", `Invalid schedule parameters: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`, { issues });
}

/**
 * Checks at creation that the schedule's runs will be valid requests, so a mistake is a 400
 * now rather than a failed run next month. Issues are named by the schedule's own fields.
 * Returns the parameters to store: only the names this report type takes (anything else is a 400,
 * so no junk is kept), each as the report's schema read it (nested objects stripped to theirs).
 */
export function parseReportScheduleParameters(schedule: TReportScheduleFacts, timeZone: string, now = new Date()): Record<string, unknown> {
  const schema = REPORT_REQUEST_SCHEMAS[schedule.exportType as TReportExportType] as z.ZodType | undefined;
  if (!schema) throw new AppError("INVALID_INPUT", `export_type: unknown report type`, { issues: [{ path: "export_type", message: "unknown report type" }] });
  const given = (schedule.parameters ?? {}) as Record<string, unknown>;
  const isBatch = isBatchSchedule(schedule);
  const allowed = reportScheduleParameterNames(schedule.exportType as TReportExportType, isBatch);
  const unknown = Object.keys(given).filter((name) => !allowed.includes(name));
  if (unknown.length) {
    invalidParameters(
      unknown.slice(0, 10).map((name) => ({
        path: `parameters.${name.slice(0, 64)}`,
        message: FIELDS_SET_BY_THE_SCHEDULE.has(name) ? "is set by the schedule itself, not by its parameters" : `is not a parameter of ${schedule.exportType} schedules (known: ${allowed.join(", ")})`,
      })),
    );
  }

  const result = isBatch ? safeParseBatch(batchBodyFor(schedule, now, timeZone)) : schema.safeParse(reportBodyFor(schedule, now, timeZone));
  if (result.success) {
    const parsed = result.data as Record<string, unknown>;

    return Object.fromEntries(Object.keys(given).map((name) => [name, (SCHEDULE_ONLY_PARAMETERS as readonly string[]).includes(name) ? given[name] : parsed[name]]));
  }

  const issues = (result.error instanceof AppError ? (result.error.issues ?? []) : toIssues(result.error)).map((issue) => {
    const field = issue.path.split(".")[0]!;
    if (field === "start_date" || field === "end_date" || field === "date_range") {
      return { path: "parameters.period", message: `${issue.path} ${issue.message} (give parameters.period, e.g. previous_month)` };
    }
    if (field === "template_id") return { path: "template_id", message: issue.message };
    // Practice-wide schedules of the other types are batches; a single report needs its patient.
    if (field === "patient_id") return { path: "patient_id", message: `is required for ${schedule.exportType} schedules` };

    return { path: `parameters.${issue.path}`, message: issue.message };
  });
  invalidParameters(issues);
}

/** A batch request checked like a report's schema (success and data, or the issues): its own fields named as parameters. */
function safeParseBatch(body: Record<string, unknown>): { success: true; data: Record<string, unknown> } | { success: false; error: AppError } {
  try {
    const { selection, report } = parseBatchReportRequest(body);
    return { success: true, data: { ...report, combined: selection.combined, organization_id: selection.organization_id } };
  } catch (error) {
    if (error instanceof AppError) return { success: false, error };
    throw error;
  }
}

/** A dataset schedule's parameters: only whether the file goes as an email attachment. */
const ZDatasetScheduleParameters = z.strictObject({
  email_attach_file: ZScheduleOwnParameters.email_attach_file,
  delivery_mode: ZScheduleOwnParameters.delivery_mode,
});

export function parseDatasetScheduleParameters(parameters: unknown): Record<string, unknown> {
  const result = ZDatasetScheduleParameters.safeParse(parameters ?? {});
  if (result.success) return result.data;

  invalidParameters(
    result.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.slice(0, 10).map((name) => ({ path: `parameters.${name.slice(0, 64)}`, message: "is not a parameter of dataset schedules (they take email_attach_file and delivery_mode; what they export is dataset_export)" }))
        : [{ path: ["parameters", ...issue.path.map(String)].join("."), message: issue.message }],
    ),
  );
}
