import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { invalidInput, notFound } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { normalizeDeliveryTarget } from "@/lib/schedules/delivery-target";
import { DATASET_EXPORT_TYPE, schedulePolicyRequests } from "@/lib/schedules/schedule-access";
import { ZCreateScheduleInput } from "@/lib/schedules/schedule-input";
import { parseRuleOrThrow } from "@/lib/schedules/schedule-rule-of";
import { toScheduleView } from "@/lib/schedules/schedule-view";
import { parseDatasetScheduleParameters, parseReportScheduleParameters, reportFormatOf } from "@/lib/schedules/scheduled-export-request";
import { nextRunAfter, toScheduleRuleInput } from "@/lib/schedules/time";

/** Unknown dataset names are a 400 now rather than a failed run later. */
async function assertKnownDatasets(tier: string, names: string[] | undefined) {
  if (!names) return;
  const { datasetsOfTier } = await import("@/lib/datasets/dataset-registry");
  const available = datasetsOfTier(tier as "anon" | "pii" | "metrics").map((dataset) => dataset.name);
  names.forEach((name, index) => {
    if (!available.includes(name)) throw invalidInput(`dataset_export.datasets.${index}`, `unknown dataset in the ${tier} tier (known: ${available.join(", ")})`);
  });
}

/** POST /api/v1/export/scheduled: validates, asks the policy, stores the schedule with its first next run, audits. */
export async function createSchedule(actor: TActor, body: unknown, options: { meta?: TRequestMeta | null; now?: Date } = {}) {
  const input = parseOrThrow(ZCreateScheduleInput, body, "Invalid schedule");
  const rule = parseRuleOrThrow(input.schedule_type, input.schedule_config);
  const now = options.now ?? new Date();
  const patientId = input.patient_id ?? null;

  let exportType: string = DATASET_EXPORT_TYPE;
  let format = "zip";
  let templateId: string | null = null;
  if (!input.dataset_export) {
    let templateFormat: string | null = null;
    if (input.template_id) {
      const template = await prisma.exportTemplate.findUnique({ where: { id: input.template_id }, select: { id: true, exportType: true, format: true, isArchived: true } });
      if (!template || template.isArchived) throw invalidInput("template_id", "no such template (or it is archived)");
      if (input.export_type && input.export_type !== template.exportType) throw invalidInput("export_type", `the template is for ${template.exportType}`);
      exportType = template.exportType;
      templateFormat = template.format;
      templateId = template.id;
    } else {
      exportType = input.export_type!;
    }
    format = reportFormatOf(input.parameters, templateFormat);
  }

  const subject = { exportType, patientId, datasetExport: input.dataset_export ?? null, deliveryMethod: input.delivery_method, parameters: input.parameters };
  if (patientId) {
    const patient = await prisma.patient.findUnique({ where: { id: patientId }, select: { id: true } });
    // Same answer as an unassigned patient, so ids cannot be probed.
    if (!patient) {
      await authorize(actor, { action: "report.export", isAssigned: false }, { meta: options.meta, patientId });
      throw notFound("Patient");
    }
  }
  for (const request of await schedulePolicyRequests(prisma, actor, subject)) {
    await authorize(actor, request, { meta: options.meta, patientId, dataset: input.dataset_export?.tier ?? null });
  }

  if (input.dataset_export) await assertKnownDatasets(input.dataset_export.tier, input.dataset_export.datasets);
  const parameters =
    exportType === DATASET_EXPORT_TYPE
      ? parseDatasetScheduleParameters(input.parameters)
      : parseReportScheduleParameters({ exportType, scheduleType: rule.scheduleType, patientId, templateId, format, parameters: input.parameters }, rule.timezone, now);
  const deliveryTarget = await normalizeDeliveryTarget(input.delivery_method, input.delivery_target, actor);
  const nextRunAt = nextRunAfter(rule, now);

  const created = await prisma.$transaction(async (tx) => {
    const schedule = await tx.scheduledReport.create({
      data: {
        userId: actor.id,
        name: input.name ?? null,
        templateId,
        exportType,
        format,
        datasetExport: (input.dataset_export ?? undefined) as never,
        patientId,
        scheduleType: rule.scheduleType,
        scheduleConfig: toScheduleRuleInput(rule).schedule_config as never,
        parameters: parameters as never,
        deliveryMethod: input.delivery_method,
        deliveryTarget,
        nextRunAt,
      },
    });
    await recordAudit(tx, {
      action: "schedule_created",
      userId: actor.id,
      scheduleId: schedule.id,
      patientId,
      templateId,
      dataset: input.dataset_export?.tier ?? null,
      metadata: { exportType, format, scheduleType: rule.scheduleType, timezone: rule.timezone, deliveryMethod: input.delivery_method, nextRunAt: nextRunAt.toISOString() },
      meta: options.meta,
    });

    return schedule;
  });

  return toScheduleView({ ...created, runs: [] }, { includeSecret: true });
}
