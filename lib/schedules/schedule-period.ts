// The reporting period of a scheduled report's runs. The product spec's POST /scheduled example
// gives no period; a report that needs one (progress, insurance) then covers the interval its
// schedule repeats on: a daily run the previous day, a weekly run the previous 7 days, a monthly
// run the previous month. The default is worked out at each run, not stored, so a schedule whose
// rule is edited later (monthly -> weekly) reports the interval of its new rule.
import type { TRelativePeriod, TScheduleType } from "@/lib/schedules/time";

const DEFAULT_PERIOD_BY_SCHEDULE_TYPE: Record<TScheduleType, TRelativePeriod> = {
  daily: "previous_day",
  weekly: "previous_7_days",
  monthly: "previous_month",
};

/**
 * Reports whose request requires a period. A full record without one covers the whole record,
 * a meaning a schedule may want, so it gets no default; the other reports take no period.
 */
const REPORTS_REQUIRING_A_PERIOD = new Set(["progress_report", "insurance_report"]);

export type TSchedulePeriod = { period: TRelativePeriod | null; isDefaulted: boolean };

export function schedulePeriodOf(schedule: { exportType: string; scheduleType: string; parameters: unknown }): TSchedulePeriod {
  const given = (schedule.parameters as { period?: TRelativePeriod } | null)?.period;
  if (given) return { period: given, isDefaulted: false };
  const fallback = DEFAULT_PERIOD_BY_SCHEDULE_TYPE[schedule.scheduleType as TScheduleType];
  if (fallback && REPORTS_REQUIRING_A_PERIOD.has(schedule.exportType)) return { period: fallback, isDefaulted: true };

  return { period: null, isDefaulted: false };
}
