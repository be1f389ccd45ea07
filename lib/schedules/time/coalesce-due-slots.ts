import { latestSlotAtOrBefore } from './latest-slot-at-or-before';
import { nextRunAfter } from './next-run-after';
import type { TScheduleRule } from './schedule-rule.types';
import { slotsBetween } from './slots-between';

export type TCoalesceDueSlotsOptions = {
  /** The schedule's stored next-run time: the earliest slot not yet run (inclusive). */
  dueSince: Date;
  now: Date;
};

export type TCoalescedRun = {
  /** The slot to run now: the latest one due. Null when nothing is due. */
  scheduledFor: Date | null;
  /** How many earlier due slots were folded into this run instead of running separately (capped at 9999). */
  foldedCount: number;
  /** The first slot after `now`, to store as the schedule's next run. */
  nextRunAt: Date;
};

// After downtime a schedule runs once, not once per missed slot: a burst of identical
// exports (and emails) helps nobody, and the latest slot covers the freshest period.
// Counting is capped so a schedule left off for years cannot stall the scheduler.
const MAX_COUNTED_SLOTS = 10_000;

export function coalesceDueSlots(rule: TScheduleRule, options: TCoalesceDueSlotsOptions): TCoalescedRun {
  const { dueSince, now } = options;
  const nextRunAt = nextRunAfter(rule, now);
  if (dueSince.getTime() > now.getTime()) {
    return { scheduledFor: null, foldedCount: 0, nextRunAt };
  }

  const due = slotsBetween(rule, new Date(dueSince.getTime() - 1), now, { limit: MAX_COUNTED_SLOTS });
  if (due.length === 0) {
    return { scheduledFor: null, foldedCount: 0, nextRunAt };
  }
  // Past the cap the list is truncated at the old end, so the latest slot is computed directly.
  const scheduledFor = due.length < MAX_COUNTED_SLOTS ? due[due.length - 1] : latestSlotAtOrBefore(rule, now);

  return { scheduledFor, foldedCount: due.length - 1, nextRunAt };
}
