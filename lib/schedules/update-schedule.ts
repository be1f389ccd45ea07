import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import { loadActiveActor } from "@/lib/auth/actor";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { webhookDeliveryModeOf } from "@/lib/delivery/webhook-file";
import { normalizeDeliveryTarget } from "@/lib/schedules/delivery-target";
import { DATASET_EXPORT_TYPE, schedulePolicyRequests } from "@/lib/schedules/schedule-access";
import { ZUpdateScheduleInput, type TDeliveryMethod } from "@/lib/schedules/schedule-input";
import { parseRuleOrThrow, ruleOfSchedule } from "@/lib/schedules/schedule-rule-of";
import { toScheduleView } from "@/lib/schedules/schedule-view";
import { parseDatasetScheduleParameters, parseReportScheduleParameters, reportFormatOf } from "@/lib/schedules/scheduled-export-request";
import { nextRunAfter, toScheduleRuleInput } from "@/lib/schedules/time";
import { loadScheduleFor } from "@/lib/schedules/list-schedules";

/**
 * PATCH /api/v1/export/scheduled/{id}: pause (`is_active: false`), resume (`is_active: true`,
 * which asks the policy again for the owner and starts from the next slot after now, never
 * replaying what was missed while paused), or edit the rule, parameters or delivery.
 */
export async function updateSchedule(actor: TActor, scheduleId: string, body: unknown, options: { meta?: TRequestMeta | null; now?: Date } = {}) {
  const input = parseOrThrow(ZUpdateScheduleInput, body, "Invalid schedule change");
  const row = await loadScheduleFor(actor, scheduleId, "schedule.manage", options.meta);
  const now = options.now ?? new Date();

  const ruleChanged = input.schedule_type !== undefined || input.schedule_config !== undefined;
  const current = ruleOfSchedule(row);
  const currentInput = toScheduleRuleInput(current);
  const rule = ruleChanged ? parseRuleOrThrow(input.schedule_type ?? currentInput.schedule_type, input.schedule_config ?? currentInput.schedule_config) : current;

  const owner = row.userId === actor.id ? actor : await loadActiveActor(row.userId);
  if (!owner) throw new AppError("CONFLICT", "The schedule's owner is disabled; delete the schedule instead");

  const isDataset = row.exportType === DATASET_EXPORT_TYPE;
  if (isDataset && (input.export_type !== undefined || input.patient_id !== undefined)) {
    throw new AppError("INVALID_INPUT", "export_type: a dataset schedule exports a dataset; create a report schedule instead", { issues: [{ path: input.export_type !== undefined ? "export_type" : "patient_id", message: "cannot change on a dataset schedule" }] });
  }
  const exportType = input.export_type ?? row.exportType;
  const patientId = input.patient_id === undefined ? row.patientId : input.patient_id;
  const subjectChanged = exportType !== row.exportType || patientId !== row.patientId;
  // Another report type starts from that type's own template.
  const templateId = exportType !== row.exportType ? null : row.templateId;
  if (subjectChanged) {
    // The owner must be allowed the new subject (patient, practice-wide) now, as at every run.
    for (const request of await schedulePolicyRequests(prisma, owner, { exportType, patientId, datasetExport: row.datasetExport })) {
      await authorize(owner, request, { meta: options.meta, scheduleId, patientId });
    }
  }
  const format = isDataset ? row.format : input.parameters ? reportFormatOf(input.parameters, row.format) : row.format;
  let parameters = row.parameters as Record<string, unknown>;
  if (isDataset) {
    if (input.parameters) parameters = parseDatasetScheduleParameters(input.parameters);
  } else if (input.parameters || subjectChanged) {
    // Strict per kind: a new report type is checked against its own parameters.
    parameters = parseReportScheduleParameters({ exportType, scheduleType: rule.scheduleType, patientId, templateId, format, parameters: input.parameters ?? parameters }, rule.timezone, now);
  }
  const deliveryMethod = (input.delivery_method ?? row.deliveryMethod) as TDeliveryMethod;
  const deliveryTarget =
    input.delivery_method !== undefined || input.delivery_target !== undefined
      ? await normalizeDeliveryTarget(deliveryMethod, input.delivery_target === undefined ? (input.delivery_method ? null : row.deliveryTarget) : input.delivery_target, owner)
      : row.deliveryTarget;

  if (deliveryMethod === "webhook" && webhookDeliveryModeOf(parameters) === "file" && (input.delivery_method !== undefined || input.parameters !== undefined || subjectChanged)) {
    // Sending the file itself to a webhook is a policy question of its own (identified files: admins).
    const subject = { exportType, patientId, datasetExport: row.datasetExport, deliveryMethod, parameters };
    for (const request of (await schedulePolicyRequests(prisma, owner, subject)).filter((request) => request.action === "schedule.webhook-file")) {
      await authorize(owner, request, { meta: options.meta, scheduleId, patientId });
    }
  }

  const isResuming = input.is_active === true && !row.isActive;
  if (isResuming) {
    // A schedule paused because access was revoked must not come back without access.
    const subject = { exportType: row.exportType, patientId: row.patientId, datasetExport: row.datasetExport };
    for (const request of await schedulePolicyRequests(prisma, owner, subject)) {
      await authorize(owner, request, { meta: options.meta, scheduleId, patientId: row.patientId });
    }
  }
  const isActive = input.is_active ?? row.isActive;
  const nextRunAt = isActive && (ruleChanged || isResuming || !row.nextRunAt) ? nextRunAfter(rule, now) : row.nextRunAt;

  const data = {
    name: input.name === undefined ? row.name : input.name,
    exportType,
    patientId,
    templateId,
    scheduleType: rule.scheduleType,
    scheduleConfig: toScheduleRuleInput(rule).schedule_config as never,
    parameters: parameters as never,
    format,
    deliveryMethod,
    deliveryTarget,
    isActive,
    pausedReason: isActive ? null : input.is_active === false ? `Paused by ${actor.id === row.userId ? "its owner" : "an administrator"}` : row.pausedReason,
    consecutiveFailures: isResuming ? 0 : row.consecutiveFailures,
    nextRunAt,
  };
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (row.isActive !== data.isActive) changes.isActive = { from: row.isActive, to: data.isActive };
  if (ruleChanged) changes.rule = { from: currentInput, to: toScheduleRuleInput(rule) };
  if (input.parameters) changes.parameters = { from: Object.keys(row.parameters as object), to: Object.keys(parameters) };
  if (row.deliveryMethod !== deliveryMethod) changes.deliveryMethod = { from: row.deliveryMethod, to: deliveryMethod };
  if (row.deliveryTarget !== deliveryTarget) changes.deliveryTarget = { from: "(previous)", to: "(changed)" };
  if (row.name !== data.name) changes.name = { from: row.name, to: data.name };
  if (row.exportType !== exportType) changes.exportType = { from: row.exportType, to: exportType };
  if (row.patientId !== patientId) changes.patientId = { from: row.patientId, to: patientId };
  if ((row.nextRunAt?.getTime() ?? null) !== (nextRunAt?.getTime() ?? null)) changes.nextRunAt = { from: row.nextRunAt?.toISOString() ?? null, to: nextRunAt?.toISOString() ?? null };

  const updated = await prisma.$transaction(async (tx) => {
    const saved = await tx.scheduledReport.update({ where: { id: scheduleId }, data, include: { runs: { orderBy: { scheduledFor: "desc" }, take: 1 } } });
    await recordAudit(tx, {
      action: "schedule_updated",
      userId: actor.id,
      scheduleId,
      patientId,
      metadata: { changes, ...(isResuming ? { resumed: true } : {}), ...(input.is_active === false && row.isActive ? { paused: true } : {}) },
      meta: options.meta,
    });

    return saved;
  });

  return toScheduleView(updated, { includeSecret: updated.userId === actor.id });
}
