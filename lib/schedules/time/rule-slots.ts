// Shared slot arithmetic for the schedule functions. A "slot" is the instant a rule fires on
// one local calendar date; DST gaps and overlaps are resolved by zonedTimeToUtc.

import type { TScheduleRule } from './schedule-rule.types';
import { type TCalendarDate, addDays, daysInMonth, getZonedParts, weekdayOf, zonedTimeToUtc } from './zoned-time';

// Monthly rules match once in every month and weekly ones once a week, so a search that
// finds nothing within this many days means the rule itself is broken.
const MAX_SEARCH_DAYS = 400;

export function parseRuleTime(time: string): { hour: number; minute: number } {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) {
    throw new Error(`Schedule time "${time}" is not HH:MM`);
  }

  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** Whether the rule fires on this local calendar date. */
export function ruleMatchesDate(rule: TScheduleRule, date: TCalendarDate): boolean {
  switch (rule.scheduleType) {
    case 'daily':
      return true;
    case 'weekly':
      return weekdayOf(date.year, date.month, date.day) === requireField(rule.dayOfWeek, 'dayOfWeek');
    case 'monthly': {
      // Day 29-31 clamps to the month's last day (Feb 28/29, Apr 30) instead of skipping the month.
      const wanted = Math.min(requireField(rule.dayOfMonth, 'dayOfMonth'), daysInMonth(date.year, date.month));

      return date.day === wanted;
    }
  }
}

export function slotOnDate(rule: TScheduleRule, date: TCalendarDate): Date {
  const { hour, minute } = parseRuleTime(rule.time);

  return zonedTimeToUtc(date.year, date.month, date.day, hour, minute, rule.timezone);
}

export function localDateOf(instant: Date, timeZone: string): TCalendarDate {
  const p = getZonedParts(instant, timeZone);

  return { year: p.year, month: p.month, day: p.day };
}

/**
 * Walks local dates from `start` in `step` direction and returns the first slot accepted by
 * `accept`. Matching is checked on plain dates first so zone math runs only on real slots.
 */
export function findSlot(
  rule: TScheduleRule,
  start: TCalendarDate,
  step: 1 | -1,
  accept: (slot: Date) => boolean,
): Date {
  let date = start;
  for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
    if (ruleMatchesDate(rule, date)) {
      const slot = slotOnDate(rule, date);
      if (accept(slot)) {
        return slot;
      }
    }
    date = addDays(date, step);
  }

  throw new Error(`No ${rule.scheduleType} slot found within ${MAX_SEARCH_DAYS} days; rule is invalid`);
}

function requireField(value: number | undefined, name: string): number {
  if (value === undefined) {
    throw new Error(`Schedule rule is missing ${name}`);
  }

  return value;
}
