import { describe, expect, it } from 'vitest';

import { describeRule } from './describe-rule';
import { formatInZone } from './format-in-zone';

describe('describeRule', () => {
  it('describes each schedule type', () => {
    expect(describeRule({ scheduleType: 'daily', time: '02:30', timezone: 'UTC' })).toBe('Daily at 02:30 UTC');
    expect(describeRule({ scheduleType: 'weekly', time: '07:30', dayOfWeek: 1, timezone: 'America/New_York' })).toBe(
      'Weekly on Monday at 07:30 America/New_York',
    );
    expect(describeRule({ scheduleType: 'weekly', time: '07:30', dayOfWeek: 0, timezone: 'UTC' })).toBe('Weekly on Sunday at 07:30 UTC');
    expect(describeRule({ scheduleType: 'monthly', time: '08:00', dayOfMonth: 31, timezone: 'Europe/Berlin' })).toBe(
      'Monthly on the last day at 08:00 Europe/Berlin',
    );
    expect(describeRule({ scheduleType: 'monthly', time: '08:00', dayOfMonth: 30, timezone: 'Europe/Berlin' })).toBe(
      "Monthly on day 30 (or the month's last day) at 08:00 Europe/Berlin",
    );
    expect(describeRule({ scheduleType: 'monthly', time: '08:00', dayOfMonth: 1, timezone: 'Europe/Berlin' })).toBe(
      'Monthly on day 1 at 08:00 Europe/Berlin',
    );
  });

  it('appends the next run in the rule zone', () => {
    const text = describeRule(
      { scheduleType: 'monthly', time: '08:00', dayOfMonth: 31, timezone: 'Europe/Berlin' },
      new Date('2026-12-31T07:00:00Z'),
    );
    expect(text).toBe('Monthly on the last day at 08:00 Europe/Berlin (next run 2026-12-31 08:00)');
  });
});

describe('formatInZone', () => {
  it('formats wall-clock time in the zone', () => {
    expect(formatInZone(new Date('2026-12-31T07:00:00Z'), 'Europe/Berlin')).toBe('2026-12-31 08:00');
    expect(formatInZone(new Date('2026-12-31T07:00:00Z'), 'Pacific/Auckland')).toBe('2026-12-31 20:00');
    expect(formatInZone(new Date('2027-01-01T00:00:00Z'), 'America/New_York')).toBe('2026-12-31 19:00');
    expect(formatInZone(new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01 00:00');
  });
});
