import type { TScheduleRule } from './schedule-rule.types';
import { findSlot, localDateOf } from './rule-slots';
import { addDays } from './zoned-time';

/** The most recent slot at or before `now` (a slot exactly at `now` counts as due). */
export function latestSlotAtOrBefore(rule: TScheduleRule, now: Date): Date {
  // Start a day late for the same reason nextRunAfter starts a day early.
  const start = addDays(localDateOf(now, rule.timezone), 1);

  return findSlot(rule, start, -1, (slot) => slot.getTime() <= now.getTime());
}
