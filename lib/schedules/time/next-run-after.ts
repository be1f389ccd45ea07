import type { TScheduleRule } from './schedule-rule.types';
import { findSlot, localDateOf } from './rule-slots';
import { addDays } from './zoned-time';

/**
 * The first slot strictly after `after`.
 *
 * The search starts a day early because a slot on the previous local date can still lie
 * after `after` (a gap-shifted slot, or `after` itself sitting in a fall-back hour).
 */
export function nextRunAfter(rule: TScheduleRule, after: Date): Date {
  const start = addDays(localDateOf(after, rule.timezone), -1);

  return findSlot(rule, start, 1, (slot) => slot.getTime() > after.getTime());
}
