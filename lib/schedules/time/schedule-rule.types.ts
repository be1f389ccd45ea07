// WARNING: TScheduleRule and the snake_case schedule_config shape are persisted with each
// schedule and accepted by the API. Change them only together with a data migration.

import { z } from 'zod';

import { canonicalTimeZone, isValidTimeZone } from './zoned-time';

export const SCHEDULE_TYPES = ['daily', 'weekly', 'monthly'] as const;
export type TScheduleType = (typeof SCHEDULE_TYPES)[number];

const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

type TFieldNames = { type: string; time: string; dayOfWeek: string; dayOfMonth: string; timezone: string };

// One definition of the rules, rendered twice: once with the internal camelCase names and
// once with the API's snake_case paths, so API clients see the field they actually sent.
function fieldSchemas(names: TFieldNames) {
  return {
    type: z.enum(SCHEDULE_TYPES, { error: `${names.type} must be one of: daily, weekly, monthly` }),
    time: z
      .string({ error: `${names.time} is required (HH:MM, 24-hour)` })
      .regex(TIME_PATTERN, { error: `${names.time} must be HH:MM in 24-hour time, e.g. 07:30` }),
    dayOfWeek: z
      .number({ error: `${names.dayOfWeek} must be a number from 0 (Sunday) to 6 (Saturday)` })
      .int({ error: `${names.dayOfWeek} must be a whole number from 0 (Sunday) to 6 (Saturday)` })
      .min(0, { error: `${names.dayOfWeek} must be from 0 (Sunday) to 6 (Saturday)` })
      .max(6, { error: `${names.dayOfWeek} must be from 0 (Sunday) to 6 (Saturday)` }),
    dayOfMonth: z
      .number({ error: `${names.dayOfMonth} must be a number from 1 to 31` })
      .int({ error: `${names.dayOfMonth} must be a whole number from 1 to 31` })
      .min(1, { error: `${names.dayOfMonth} must be from 1 to 31` })
      .max(31, { error: `${names.dayOfMonth} must be from 1 to 31` }),
    timezone: z
      .string({ error: `${names.timezone} must be an IANA time zone name such as Europe/Berlin` })
      .refine(isValidTimeZone, {
        error: (issue) => `${names.timezone} "${String(issue.input)}" is not a known IANA time zone (e.g. Europe/Berlin, UTC)`,
      }),
  };
}

/**
 * A schedule's recurrence. `time` is wall-clock time in `timezone`.
 * `dayOfWeek` (0 = Sunday) is required for weekly, `dayOfMonth` (1-31) for monthly; days
 * 29-31 fall on the last day of shorter months. Fields a type does not use are ignored.
 */
const internal = fieldSchemas({
  type: 'scheduleType',
  time: 'time',
  dayOfWeek: 'dayOfWeek',
  dayOfMonth: 'dayOfMonth',
  timezone: 'timezone',
});

export const ZScheduleRule = z
  .object({
    scheduleType: internal.type,
    time: internal.time,
    dayOfWeek: internal.dayOfWeek.optional(),
    dayOfMonth: internal.dayOfMonth.optional(),
    timezone: internal.timezone,
  })
  .superRefine((rule, ctx) => {
    if (rule.scheduleType === 'weekly' && rule.dayOfWeek === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dayOfWeek'], message: 'dayOfWeek is required for weekly schedules' });
    }
    if (rule.scheduleType === 'monthly' && rule.dayOfMonth === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dayOfMonth'], message: 'dayOfMonth is required for monthly schedules' });
    }
  });

export type TScheduleRule = z.infer<typeof ZScheduleRule>;

const api = fieldSchemas({
  type: 'schedule_type',
  time: 'schedule_config.time',
  dayOfWeek: 'schedule_config.day_of_week',
  dayOfMonth: 'schedule_config.day_of_month',
  timezone: 'schedule_config.timezone',
});

/** The API / storage shape: `{ schedule_type, schedule_config: { time, day_of_week?, day_of_month?, timezone? } }`. */
export const ZScheduleRuleInput = z
  .object(
    {
      schedule_type: api.type,
      schedule_config: z.object(
        {
          time: api.time,
          day_of_week: api.dayOfWeek.optional(),
          day_of_month: api.dayOfMonth.optional(),
          timezone: api.timezone.optional(),
        },
        { error: 'schedule_config must be an object with at least { time }' },
      ),
    },
    { error: 'schedule must be an object with schedule_type and schedule_config' },
  )
  .superRefine((input, ctx) => {
    const config = input.schedule_config;
    if (input.schedule_type === 'weekly' && config.day_of_week === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule_config', 'day_of_week'],
        message: 'schedule_config.day_of_week is required for weekly schedules (0 = Sunday … 6 = Saturday)',
      });
    }
    if (input.schedule_type === 'monthly' && config.day_of_month === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule_config', 'day_of_month'],
        message: 'schedule_config.day_of_month is required for monthly schedules (1-31; 29-31 mean the last day in shorter months)',
      });
    }
  });

export type TScheduleRuleInput = z.infer<typeof ZScheduleRuleInput>;

export type TScheduleRuleIssue = { field: string; message: string };

export type TParseScheduleRuleResult =
  | { success: true; rule: TScheduleRule }
  | { success: false; issues: TScheduleRuleIssue[] };

/**
 * Validates the API shape and maps it to a rule. `defaultTimezone` (usually the instance's
 * configured zone) applies when `schedule_config.timezone` is omitted.
 */
export function parseScheduleRuleInput(input: unknown, defaultTimezone: string): TParseScheduleRuleResult {
  const parsed = ZScheduleRuleInput.safeParse(input);
  if (!parsed.success) {
    return {
      success: false,
      issues: parsed.error.issues.map((issue) => ({
        field: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
      })),
    };
  }

  const { schedule_type: scheduleType, schedule_config: config } = parsed.data;
  const timezone = config.timezone ?? defaultTimezone;
  if (!isValidTimeZone(timezone)) {
    // A bad default is a deployment fault, not the caller's; fail loudly rather than guess UTC.
    throw new Error(`Default schedule time zone "${defaultTimezone}" is not a valid IANA zone`);
  }

  const rule: TScheduleRule = {
    scheduleType,
    time: config.time,
    timezone: canonicalTimeZone(timezone),
  };
  if (scheduleType === 'weekly') {
    rule.dayOfWeek = config.day_of_week;
  }
  if (scheduleType === 'monthly') {
    rule.dayOfMonth = config.day_of_month;
  }

  return { success: true, rule };
}

/** The inverse of {@link parseScheduleRuleInput}, for API responses and storage. */
export function toScheduleRuleInput(rule: TScheduleRule): TScheduleRuleInput {
  return {
    schedule_type: rule.scheduleType,
    schedule_config: {
      time: rule.time,
      timezone: rule.timezone,
      ...(rule.scheduleType === 'weekly' ? { day_of_week: rule.dayOfWeek } : {}),
      ...(rule.scheduleType === 'monthly' ? { day_of_month: rule.dayOfMonth } : {}),
    },
  };
}
