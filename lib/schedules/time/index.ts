export { coalesceDueSlots, type TCoalesceDueSlotsOptions, type TCoalescedRun } from './coalesce-due-slots';
export { describeRule } from './describe-rule';
export { formatInZone } from './format-in-zone';
export { latestSlotAtOrBefore } from './latest-slot-at-or-before';
export { nextRunAfter } from './next-run-after';
export { RELATIVE_PERIODS, resolvePeriod, type TRelativePeriod, type TResolvedPeriod } from './resolve-period';
export {
  parseScheduleRuleInput,
  SCHEDULE_TYPES,
  toScheduleRuleInput,
  ZScheduleRule,
  ZScheduleRuleInput,
  type TParseScheduleRuleResult,
  type TScheduleRule,
  type TScheduleRuleInput,
  type TScheduleRuleIssue,
  type TScheduleType,
} from './schedule-rule.types';
export { slotsBetween, type TSlotsBetweenOptions } from './slots-between';
export {
  canonicalTimeZone,
  isValidTimeZone,
  zonedTimeToUtc,
  zonedTimeToUtcDetailed,
  type TZonedResolution,
} from './zoned-time';
