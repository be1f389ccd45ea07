import { formatInZone } from './format-in-zone';
import type { TScheduleRule } from './schedule-rule.types';

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Human text for a rule, e.g. "Weekly on Monday at 07:30 America/New_York". With `next`,
 * the next run is appended in the rule's zone so the reader never converts zones in their head.
 */
export function describeRule(rule: TScheduleRule, next?: Date): string {
  const at = `at ${rule.time} ${rule.timezone}`;
  let text: string;
  switch (rule.scheduleType) {
    case 'daily':
      text = `Daily ${at}`;
      break;
    case 'weekly':
      text = `Weekly on ${WEEKDAY_NAMES[rule.dayOfWeek ?? 0]} ${at}`;
      break;
    case 'monthly':
      text = `Monthly ${describeDayOfMonth(rule.dayOfMonth ?? 1)} ${at}`;
      break;
  }
  if (next) {
    text += ` (next run ${formatInZone(next, rule.timezone)})`;
  }

  return text;
}

// Every month has a 31st-or-last day, so 31 reads simply as "the last day"; 29 and 30 are
// real days in most months and only clamp in short ones, which the text has to say.
function describeDayOfMonth(day: number): string {
  if (day >= 31) {
    return 'on the last day';
  }
  if (day >= 29) {
    return `on day ${day} (or the month's last day)`;
  }

  return `on day ${day}`;
}
