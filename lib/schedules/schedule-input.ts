// The API shapes of scheduled exports (issue 6's contract; snake_case as the spec has it).
// The recurrence itself (schedule_type + schedule_config) is validated by lib/schedules/time.
import { z } from "zod";

import { WEBHOOK_DELIVERY_MODES } from "@/lib/delivery/webhook-file";
import { REPORT_EXPORT_TYPES } from "@/lib/reports/report-requests";
import { RELATIVE_PERIODS } from "@/lib/schedules/time";

export const DELIVERY_METHODS = ["storage", "email", "webhook"] as const;
export type TDeliveryMethod = (typeof DELIVERY_METHODS)[number];

export const DATASET_TIERS = ["anon", "pii", "metrics"] as const;

const ZId = z.string().trim().min(1, "is required").max(100);

export const ZDatasetExport = z
  .strictObject({
    tier: z.enum(DATASET_TIERS, { message: "must be anon, pii or metrics" }),
    datasets: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
    profile: z.string().trim().min(1).max(50).optional(),
    /** Ages in 5- or 10-year bands (de-identified tiers), as POST /api/v1/datasets/exports takes it. */
    age_band_years: z.union([z.literal(5), z.literal(10)], { message: "must be 5 or 10 (years per age band); leave it out for whole years" }).optional(),
    /** Incremental extracts: each run only rows created or changed since the last delivered run (lib/schedules/incremental-watermark.ts). */
    since: z.literal("last_successful_run", { message: 'must be "last_successful_run" (or leave it out for full extracts)' }).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.tier === "pii" && value.age_band_years !== undefined) ctx.addIssue({ code: "custom", path: ["age_band_years"], message: "applies to de-identified exports only: the identified tier exports birth dates" });
  });
export type TDatasetExportInput = z.infer<typeof ZDatasetExport>;

/**
 * The schedule's own parameters. `period` is a relative period resolved against each run's
 * scheduled time (without one, a report that needs a period covers the schedule's own interval:
 * schedule-period.ts); `email_attach_file` asks for the file as an attachment, which only happens
 * when an admin allows attachments in settings.
 */
export const ZScheduleOwnParameters = {
  period: z.enum(RELATIVE_PERIODS, { message: `must be one of ${RELATIVE_PERIODS.join(", ")}` }).optional(),
  email_attach_file: z.boolean("must be true or false").optional(),
  /** Webhook deliveries: a signed notice naming the file (default), or the file itself (lib/delivery/webhook-file.ts). */
  delivery_mode: z.enum(WEBHOOK_DELIVERY_MODES, { message: 'must be "notice" or "file"' }).optional(),
};

/**
 * Any JSON object here: which names it may hold depends on what the schedule exports, known only
 * once its template is looked up. The strict per-kind check (report request fields, or for a
 * dataset only email_attach_file; anything else a 400) is in scheduled-export-request.ts, and
 * only what it returns is stored.
 */
export const ZScheduleParameters = z.object(ZScheduleOwnParameters).catchall(z.unknown());
export type TScheduleParameters = z.infer<typeof ZScheduleParameters>;

const ZDeliveryTarget = z.string().trim().min(1).max(2000).nullable().optional();

export const ZCreateScheduleInput = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    template_id: ZId.optional(),
    /** The report type; taken from the template when omitted. */
    export_type: z.enum(REPORT_EXPORT_TYPES, { message: `must be one of ${REPORT_EXPORT_TYPES.join(", ")}` }).optional(),
    dataset_export: ZDatasetExport.optional(),
    /** null (or omitted) = practice-wide. */
    patient_id: ZId.nullable().optional(),
    schedule_type: z.unknown(),
    schedule_config: z.unknown(),
    parameters: ZScheduleParameters.default({}),
    delivery_method: z.enum(DELIVERY_METHODS, { message: "must be storage, email or webhook" }),
    delivery_target: ZDeliveryTarget,
  })
  .superRefine((input, ctx) => {
    const isReport = input.template_id !== undefined || input.export_type !== undefined;
    if (isReport && input.dataset_export) {
      ctx.addIssue({ code: "custom", path: ["dataset_export"], message: "give either a report (template_id / export_type) or dataset_export, not both" });
    }
    if (!isReport && !input.dataset_export) {
      ctx.addIssue({ code: "custom", path: ["template_id"], message: "give template_id (or export_type) for a report, or dataset_export for a dataset" });
    }
    if (input.dataset_export && input.patient_id) {
      ctx.addIssue({ code: "custom", path: ["patient_id"], message: "dataset exports are not for one patient" });
    }
  });
export type TCreateScheduleInput = z.infer<typeof ZCreateScheduleInput>;

/**
 * PATCH: pause / resume with `is_active`, or edit. A report schedule's report type and patient may
 * change (the policy is asked again for the new patient); a dataset schedule's tier is fixed.
 */
export const ZUpdateScheduleInput = z
  .strictObject({
    is_active: z.boolean().optional(),
    export_type: z.enum(REPORT_EXPORT_TYPES, { message: `must be one of ${REPORT_EXPORT_TYPES.join(", ")}` }).optional(),
    /** null = practice-wide (admins). */
    patient_id: ZId.nullable().optional(),
    name: z.string().trim().min(1).max(120).nullable().optional(),
    schedule_type: z.unknown().optional(),
    schedule_config: z.unknown().optional(),
    parameters: ZScheduleParameters.optional(),
    delivery_method: z.enum(DELIVERY_METHODS, { message: "must be storage, email or webhook" }).optional(),
    delivery_target: ZDeliveryTarget,
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), { message: "nothing to change", path: ["(body)"] });
export type TUpdateScheduleInput = z.infer<typeof ZUpdateScheduleInput>;
