import { describe, expect, it } from 'vitest';

import { formatInZone } from './format-in-zone';
import { nextRunAfter } from './next-run-after';
import type { TScheduleRule } from './schedule-rule.types';

/** The next `count` runs after `from`, as UTC ISO strings. */
function runs(rule: TScheduleRule, from: string, count: number): string[] {
  const out: string[] = [];
  let cursor = new Date(from);
  for (let i = 0; i < count; i++) {
    cursor = nextRunAfter(rule, cursor);
    out.push(cursor.toISOString());
  }

  return out;
}

function localRuns(rule: TScheduleRule, from: string, count: number): string[] {
  return runs(rule, from, count).map((iso) => formatInZone(new Date(iso), rule.timezone));
}

const daily = (time: string, timezone: string): TScheduleRule => ({ scheduleType: 'daily', time, timezone });

describe('nextRunAfter: DST in America/New_York', () => {
  it('runs a 02:30 daily at 03:00 on the spring-forward day and at 02:30 again after', () => {
    expect(runs(daily('02:30', 'America/New_York'), '2026-03-06T12:00:00Z', 3)).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT, 02:30 does not exist
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('runs a 01:30 daily once on the fall-back day, at the first (EDT) occurrence', () => {
    const rule = daily('01:30', 'America/New_York');
    expect(runs(rule, '2026-10-31T00:00:00Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-02T06:30:00.000Z', // 01:30 EST; the second 01:30 on Nov 1 (06:30Z) is skipped
    ]);
    // Asking from inside the repeated hour must not produce the second 01:30 either.
    expect(nextRunAfter(rule, new Date('2026-11-01T06:00:00Z')).toISOString()).toBe('2026-11-02T06:30:00.000Z');
  });

  it('keeps ordinary times at the same local time across both transitions', () => {
    expect(localRuns(daily('07:30', 'America/New_York'), '2026-03-07T00:00:00Z', 3)).toEqual([
      '2026-03-07 07:30',
      '2026-03-08 07:30',
      '2026-03-09 07:30',
    ]);
    expect(runs(daily('07:30', 'America/New_York'), '2026-10-31T00:00:00Z', 2)).toEqual([
      '2026-10-31T11:30:00.000Z',
      '2026-11-01T12:30:00.000Z',
    ]);
  });
});

describe('nextRunAfter: DST in Europe/Berlin', () => {
  it('handles 02:30 on the spring-forward day', () => {
    expect(localRuns(daily('02:30', 'Europe/Berlin'), '2026-03-28T00:00:00Z', 3)).toEqual([
      '2026-03-28 02:30',
      '2026-03-29 03:00',
      '2026-03-30 02:30',
    ]);
  });

  it('runs 02:30 once on the fall-back day, at the CEST occurrence', () => {
    expect(runs(daily('02:30', 'Europe/Berlin'), '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('keeps 08:00 local across the spring transition', () => {
    expect(runs(daily('08:00', 'Europe/Berlin'), '2026-03-28T00:00:00Z', 2)).toEqual([
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
    ]);
  });

  it('moves a weekly Sunday 02:30 to 03:00 only on the transition Sunday', () => {
    const rule: TScheduleRule = { scheduleType: 'weekly', time: '02:30', dayOfWeek: 0, timezone: 'Europe/Berlin' };
    expect(localRuns(rule, '2026-03-20T00:00:00Z', 3)).toEqual(['2026-03-22 02:30', '2026-03-29 03:00', '2026-04-05 02:30']);
  });
});

describe('nextRunAfter: Australia/Sydney (southern hemisphere)', () => {
  it('springs forward in October and falls back in April', () => {
    expect(localRuns(daily('02:30', 'Australia/Sydney'), '2026-10-02T12:00:00Z', 3)).toEqual([
      '2026-10-03 02:30',
      '2026-10-04 03:00',
      '2026-10-05 02:30',
    ]);
    expect(runs(daily('02:30', 'Australia/Sydney'), '2026-04-04T00:00:00Z', 2)).toEqual([
      '2026-04-04T15:30:00.000Z', // 02:30 AEDT on Apr 5, the first occurrence
      '2026-04-05T16:30:00.000Z', // 02:30 AEST on Apr 6
    ]);
  });
});

describe('nextRunAfter: month ends', () => {
  const monthly = (dayOfMonth: number): TScheduleRule => ({
    scheduleType: 'monthly',
    time: '08:00',
    dayOfMonth,
    timezone: 'Europe/Berlin',
  });

  it('runs day 31 on the last day of every month', () => {
    expect(localRuns(monthly(31), '2027-01-01T00:00:00Z', 4)).toEqual([
      '2027-01-31 08:00',
      '2027-02-28 08:00',
      '2027-03-31 08:00',
      '2027-04-30 08:00',
    ]);
  });

  it('uses Feb 29 in a leap year', () => {
    expect(localRuns(monthly(31), '2028-01-31T12:00:00Z', 2)).toEqual(['2028-02-29 08:00', '2028-03-31 08:00']);
    expect(localRuns(monthly(30), '2028-01-31T12:00:00Z', 2)).toEqual(['2028-02-29 08:00', '2028-03-30 08:00']);
    expect(localRuns(monthly(29), '2027-01-31T12:00:00Z', 2)).toEqual(['2027-02-28 08:00', '2027-03-29 08:00']);
  });

  it('keeps ordinary days and moves to the next month once the day has passed', () => {
    expect(localRuns(monthly(15), '2026-12-15T07:00:00Z', 2)).toEqual(['2027-01-15 08:00', '2027-02-15 08:00']);
    expect(localRuns(monthly(1), '2026-12-31T23:30:00Z', 1)).toEqual(['2027-01-01 08:00']);
  });
});

describe('nextRunAfter: weekly and boundaries', () => {
  it('crosses the year end', () => {
    const monday: TScheduleRule = { scheduleType: 'weekly', time: '07:30', dayOfWeek: 1, timezone: 'America/New_York' };
    expect(localRuns(monday, '2026-12-25T00:00:00Z', 3)).toEqual(['2026-12-28 07:30', '2027-01-04 07:30', '2027-01-11 07:30']);
    const thursday: TScheduleRule = { scheduleType: 'weekly', time: '09:00', dayOfWeek: 4, timezone: 'America/New_York' };
    // 2026-12-31 is a Thursday; after its run the next is a week later, in 2027.
    expect(localRuns(thursday, '2026-12-31T13:59:00Z', 2)).toEqual(['2026-12-31 09:00', '2027-01-07 09:00']);
  });

  it('is strictly after: a slot equal to `after` is not returned', () => {
    const rule = daily('02:30', 'UTC');
    expect(nextRunAfter(rule, new Date('2026-05-01T02:30:00Z')).toISOString()).toBe('2026-05-02T02:30:00.000Z');
    expect(nextRunAfter(rule, new Date('2026-05-01T02:29:59.999Z')).toISOString()).toBe('2026-05-01T02:30:00.000Z');
  });

  it('uses the local date, not the UTC date, to pick the day', () => {
    // 2026-06-01T20:00Z is already Tuesday 06:00 in Sydney; Monday 07:00 is six days away.
    const rule: TScheduleRule = { scheduleType: 'weekly', time: '07:00', dayOfWeek: 1, timezone: 'Australia/Sydney' };
    expect(localRuns(rule, '2026-06-01T20:00:00Z', 1)).toEqual(['2026-06-08 07:00']);
  });
});
