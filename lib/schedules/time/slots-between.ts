import { nextRunAfter } from './next-run-after';
import type { TScheduleRule } from './schedule-rule.types';

export type TSlotsBetweenOptions = {
  /** Stop after this many slots; protects callers from a decade of daily slots. Default 1000. */
  limit?: number;
};

/** Slots `s` with `from < s <= to`, oldest first. */
export function slotsBetween(rule: TScheduleRule, from: Date, to: Date, options: TSlotsBetweenOptions = {}): Date[] {
  const limit = options.limit ?? 1000;
  const slots: Date[] = [];
  let cursor = from;
  while (slots.length < limit) {
    const next = nextRunAfter(rule, cursor);
    if (next.getTime() > to.getTime()) {
      break;
    }
    slots.push(next);
    cursor = next;
  }

  return slots;
}
