import { localDateOf } from './rule-slots';
import { type TCalendarDate, addDays, daysInMonth, formatCalendarDate, weekdayOf } from './zoned-time';

export const RELATIVE_PERIODS = [
  'previous_day',
  'previous_7_days',
  'previous_30_days',
  'previous_week',
  'previous_month',
  'month_to_date',
] as const;

/**
 * - `previous_day`: yesterday.
 * - `previous_7_days` / `previous_30_days`: the N whole days before the run's date (today excluded).
 * - `previous_week`: the last complete Monday-Sunday week.
 * - `previous_month`: the last complete calendar month.
 * - `month_to_date`: the 1st of the run's month through the run's date (today included).
 */
export type TRelativePeriod = (typeof RELATIVE_PERIODS)[number];

/** Inclusive local calendar dates, `YYYY-MM-DD`. */
export type TResolvedPeriod = { start: string; end: string };

/**
 * Resolves a relative period in the schedule's zone against the run's *scheduled* time, not
 * the wall clock: a run that is retried or delayed past midnight still reports the period its
 * slot was for, and "today" is the schedule's local date rather than the server's UTC date.
 */
export function resolvePeriod(period: TRelativePeriod, scheduledFor: Date, timeZone: string): TResolvedPeriod {
  const today = localDateOf(scheduledFor, timeZone);
  const yesterday = addDays(today, -1);

  switch (period) {
    case 'previous_day':
      return span(yesterday, yesterday);
    case 'previous_7_days':
      return span(addDays(today, -7), yesterday);
    case 'previous_30_days':
      return span(addDays(today, -30), yesterday);
    case 'previous_week': {
      // Monday-based weeks (ISO 8601), the usual convention for clinical reporting in Europe.
      const mondayThisWeek = addDays(today, -((weekdayOf(today.year, today.month, today.day) + 6) % 7));

      return span(addDays(mondayThisWeek, -7), addDays(mondayThisWeek, -1));
    }
    case 'previous_month': {
      const year = today.month === 1 ? today.year - 1 : today.year;
      const month = today.month === 1 ? 12 : today.month - 1;

      return span({ year, month, day: 1 }, { year, month, day: daysInMonth(year, month) });
    }
    case 'month_to_date':
      return span({ ...today, day: 1 }, today);
  }
}

function span(start: TCalendarDate, end: TCalendarDate): TResolvedPeriod {
  return { start: formatCalendarDate(start), end: formatCalendarDate(end) };
}
