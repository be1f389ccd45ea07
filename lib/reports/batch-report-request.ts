// The request of a batch report (POST /api/v1/export/batch, and practice-wide schedules): one
// report type for many patients. Which patients (`scope`) and how they are packaged (`combined`)
// are the batch's own fields; everything else is the report type's own request body, validated by
// the same schema as a single export (lib/reports/report-requests.ts), without its patient.
import { z } from "zod";

import { AppError } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { parseReportRequest, type TReportRequest } from "@/lib/reports/report-requests";

/** Session notes are chosen by session, not by patient: several patients' notes are the session-notes endpoint's batch "zip". */
export const BATCH_REPORT_TYPES = ["progress_report", "treatment_summary", "full_record", "insurance_report"] as const;
export type TBatchReportType = (typeof BATCH_REPORT_TYPES)[number];

/** caseload: a therapist's assigned patients; patients: a chosen list; organization / practice: an admin's. */
export const BATCH_SCOPES = ["caseload", "patients", "organization", "practice"] as const;
export type TBatchScope = (typeof BATCH_SCOPES)[number];

/** One job reads each patient in turn, so this bounds a job's run time, not its memory (the ZIP streams). */
export const MAX_BATCH_PATIENTS = 5_000;
/** A combined PDF is one document, built whole in a compute worker: it holds at most this many patients. */
export const MAX_COMBINED_PATIENTS = 200;

const ZId = z.string().trim().min(1, "is required").max(100);

export const ZBatchSelection = z
  .object({
    export_type: z.enum(BATCH_REPORT_TYPES, {
      message: `must be one of ${BATCH_REPORT_TYPES.join(", ")} (session notes of several patients: POST /api/v1/export/session-notes with batch "zip")`,
    }),
    scope: z.enum(BATCH_SCOPES, { message: `must be one of ${BATCH_SCOPES.join(", ")}` }),
    patient_ids: z.array(ZId).min(1, "must list at least one patient").max(MAX_BATCH_PATIENTS, `at most ${MAX_BATCH_PATIENTS} patients per batch`).optional(),
    organization_id: ZId.optional(),
    /** One PDF holding every patient's report, each with its own running header, instead of a ZIP of files. */
    combined: z.boolean("must be true or false").default(false),
  })
  .superRefine((value, ctx) => {
    if (value.scope === "patients" && !value.patient_ids) ctx.addIssue({ code: "custom", path: ["patient_ids"], message: 'is required with scope "patients"' });
    if (value.scope !== "patients" && value.patient_ids) ctx.addIssue({ code: "custom", path: ["patient_ids"], message: 'is only taken with scope "patients"' });
    if (value.scope === "organization" && !value.organization_id) ctx.addIssue({ code: "custom", path: ["organization_id"], message: 'is required with scope "organization"' });
    if (value.scope !== "organization" && value.organization_id) ctx.addIssue({ code: "custom", path: ["organization_id"], message: 'is only taken with scope "organization"' });
  });

export type TBatchSelection = z.infer<typeof ZBatchSelection>;

/** The report request every patient of the batch gets, without its patient (filled in per patient). */
export type TBatchReportTemplate = Omit<Extract<TReportRequest, { export_type: TBatchReportType }>, "patient_id">;

export type TBatchReportRequest = { selection: TBatchSelection; report: TBatchReportTemplate };

const BATCH_FIELDS = ["export_type", "scope", "patient_ids", "organization_id", "combined"] as const;
/** Fields of a single report that name one patient's things; a batch picks each patient's own. */
const PER_PATIENT_FIELDS: Record<string, string> = {
  patient_id: 'is chosen by scope (use scope "patients" with patient_ids)',
  treatment_plan_id: "names one patient's plan; a batch uses each patient's active plan",
};
/** Stands in for the patient while the report body is validated: it is replaced per patient. */
const PATIENT_PLACEHOLDER = "batch-patient";

/** Validates a batch request; a mistake is the API's 400 naming the field. */
export function parseBatchReportRequest(body: unknown): TBatchReportRequest {
  const input = (body && typeof body === "object" && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const selection = parseOrThrow(ZBatchSelection, Object.fromEntries(BATCH_FIELDS.filter((key) => key in input).map((key) => [key, input[key]])), "Invalid batch report request");
  const reportBody = Object.fromEntries(Object.entries(input).filter(([key]) => !(BATCH_FIELDS as readonly string[]).includes(key)));
  const perPatient = Object.keys(PER_PATIENT_FIELDS).filter((key) => key in reportBody);
  if (perPatient.length) {
    const issues = perPatient.map((path) => ({ path, message: PER_PATIENT_FIELDS[path]! }));
    throw new AppError("INVALID_INPUT", `Invalid batch report request: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`, { issues });
  }
  const { patient_id: _placeholder, ...report } = parseReportRequest(selection.export_type, { ...reportBody, patient_id: PATIENT_PLACEHOLDER }) as Extract<TReportRequest, { export_type: TBatchReportType }>;
  if (selection.combined && report.format !== "pdf") {
    throw new AppError("INVALID_INPUT", "combined: a combined document is a PDF (format pdf); other formats come as a ZIP of per-patient files", {
      issues: [{ path: "combined", message: "needs format pdf" }],
    });
  }

  return { selection, report };
}

/** The single report request of one patient of the batch. */
export function patientReportRequest(report: TBatchReportTemplate, patientId: string): TReportRequest {
  return { ...report, patient_id: patientId } as TReportRequest;
}
