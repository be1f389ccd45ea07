import { describe, expect, it } from 'vitest';

import { parseScheduleRuleInput, toScheduleRuleInput, ZScheduleRule } from './schedule-rule.types';

function fieldsOf(input: unknown) {
  const result = parseScheduleRuleInput(input, 'Europe/Berlin');
  if (result.success) {
    throw new Error('expected failure');
  }

  return result.issues;
}

describe('parseScheduleRuleInput', () => {
  it('maps the API shape and applies the default zone', () => {
    expect(parseScheduleRuleInput({ schedule_type: 'daily', schedule_config: { time: '02:30' } }, 'Europe/Berlin')).toEqual({
      success: true,
      rule: { scheduleType: 'daily', time: '02:30', timezone: 'Europe/Berlin' },
    });
    expect(
      parseScheduleRuleInput(
        { schedule_type: 'weekly', schedule_config: { time: '07:30', day_of_week: 1, day_of_month: 5, timezone: 'America/New_York' } },
        'UTC',
      ),
    ).toEqual({ success: true, rule: { scheduleType: 'weekly', time: '07:30', dayOfWeek: 1, timezone: 'America/New_York' } });
  });

  it('names the snake_case field in each error', () => {
    expect(fieldsOf({ schedule_type: 'daily', schedule_config: { time: '7:30' } })).toEqual([
      { field: 'schedule_config.time', message: 'schedule_config.time must be HH:MM in 24-hour time, e.g. 07:30' },
    ]);
    expect(fieldsOf({ schedule_type: 'daily', schedule_config: { time: '24:00' } })[0].field).toBe('schedule_config.time');
    expect(fieldsOf({ schedule_type: 'weekly', schedule_config: { time: '07:30' } })[0]).toMatchObject({
      field: 'schedule_config.day_of_week',
      message: expect.stringContaining('required for weekly'),
    });
    expect(fieldsOf({ schedule_type: 'weekly', schedule_config: { time: '07:30', day_of_week: 7 } })[0].field).toBe(
      'schedule_config.day_of_week',
    );
    expect(fieldsOf({ schedule_type: 'monthly', schedule_config: { time: '07:30' } })[0].field).toBe('schedule_config.day_of_month');
    expect(fieldsOf({ schedule_type: 'monthly', schedule_config: { time: '07:30', day_of_month: 32 } })[0].field).toBe(
      'schedule_config.day_of_month',
    );
    expect(fieldsOf({ schedule_type: 'daily', schedule_config: { time: '07:30', timezone: 'Mars/Base' } })[0]).toEqual({
      field: 'schedule_config.timezone',
      message: 'schedule_config.timezone "Mars/Base" is not a known IANA time zone (e.g. Europe/Berlin, UTC)',
    });
    expect(fieldsOf({ schedule_type: 'hourly', schedule_config: { time: '07:30' } })[0].field).toBe('schedule_type');
    expect(fieldsOf(null)[0].field).toBe('(root)');
  });

  it('round-trips through the API shape', () => {
    const rule = { scheduleType: 'monthly' as const, time: '08:00', dayOfMonth: 31, timezone: 'Europe/Berlin' };
    expect(parseScheduleRuleInput(toScheduleRuleInput(rule), 'UTC')).toEqual({ success: true, rule });
  });
});

describe('ZScheduleRule', () => {
  it('requires the day field of its type', () => {
    expect(ZScheduleRule.safeParse({ scheduleType: 'monthly', time: '08:00', timezone: 'UTC' }).success).toBe(false);
    expect(ZScheduleRule.safeParse({ scheduleType: 'monthly', time: '08:00', dayOfMonth: 31, timezone: 'UTC' }).success).toBe(true);
  });
});
