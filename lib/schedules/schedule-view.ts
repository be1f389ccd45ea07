// The API / page shape of a schedule. Times are given in UTC (ISO) and as wall-clock time in
// the schedule's own zone, so nobody converts zones in their head.
import type { ScheduledReport, ScheduleRun } from "@/generated/prisma/client";
import { describeRule, formatInZone, toScheduleRuleInput } from "@/lib/schedules/time";
import { ruleOfSchedule } from "@/lib/schedules/schedule-rule-of";
import { schedulePeriodOf } from "@/lib/schedules/schedule-period";
import { webhookSecretFor } from "@/lib/schedules/webhook-secret";

export type TScheduleRunView = {
  id: string;
  scheduled_for: string;
  scheduled_for_local: string;
  claimed_at: string;
  status: string;
  job_id: string | null;
  missed_runs: number;
  note: string | null;
  error: string | null;
  delivered_at: string | null;
  /** What the delivery did: method, outcome, attempts, the relative path for storage. */
  delivery: unknown;
};

export type TScheduleView = ReturnType<typeof toScheduleView>;

export function toRunView(run: ScheduleRun, timeZone: string): TScheduleRunView {
  return {
    id: run.id,
    scheduled_for: run.scheduledFor.toISOString(),
    scheduled_for_local: formatInZone(run.scheduledFor, timeZone),
    claimed_at: run.claimedAt.toISOString(),
    status: run.status,
    job_id: run.jobId,
    missed_runs: run.missedRuns,
    note: run.note,
    error: run.error,
    delivered_at: run.deliveredAt?.toISOString() ?? null,
    delivery: run.deliveryLog ?? null,
  };
}

/**
 * The period each run of a report covers. `period_defaulted` says the parameters give none and the
 * schedule's own interval is used (the product spec's example sends no period).
 */
function periodView(row: ScheduledReport) {
  const { period, isDefaulted } = schedulePeriodOf(row);

  return { period, period_defaulted: isDefaulted };
}

export function toScheduleView(row: ScheduledReport & { runs?: ScheduleRun[] }, options: { includeSecret?: boolean } = {}) {
  const rule = ruleOfSchedule(row);
  const lastRun = row.runs?.[0] ?? null;

  return {
    id: row.id,
    name: row.name,
    owner_id: row.userId,
    kind: row.exportType === "dataset" ? ("dataset" as const) : ("report" as const),
    export_type: row.exportType,
    template_id: row.templateId,
    dataset_export: row.datasetExport ?? null,
    patient_id: row.patientId,
    format: row.format,
    ...toScheduleRuleInput(rule),
    description: describeRule(rule, row.isActive && row.nextRunAt ? row.nextRunAt : undefined),
    parameters: row.parameters,
    ...periodView(row),
    delivery_method: row.deliveryMethod,
    delivery_target: row.deliveryTarget,
    ...(options.includeSecret && row.deliveryMethod === "webhook" ? { webhook_secret: webhookSecretFor(row.id) } : {}),
    is_active: row.isActive,
    paused_reason: row.pausedReason,
    timezone: rule.timezone,
    next_run_at: row.isActive && row.nextRunAt ? row.nextRunAt.toISOString() : null,
    next_run_local: row.isActive && row.nextRunAt ? formatInZone(row.nextRunAt, rule.timezone) : null,
    last_run_at: row.lastRunAt?.toISOString() ?? null,
    last_run_local: row.lastRunAt ? formatInZone(row.lastRunAt, rule.timezone) : null,
    last_status: row.lastStatus,
    consecutive_failures: row.consecutiveFailures,
    last_run: lastRun ? toRunView(lastRun, rule.timezone) : null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
