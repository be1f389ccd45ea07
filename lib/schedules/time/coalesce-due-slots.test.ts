import { describe, expect, it } from 'vitest';

import { coalesceDueSlots } from './coalesce-due-slots';
import { latestSlotAtOrBefore } from './latest-slot-at-or-before';
import type { TScheduleRule } from './schedule-rule.types';
import { slotsBetween } from './slots-between';

const dailyUtc: TScheduleRule = { scheduleType: 'daily', time: '02:30', timezone: 'UTC' };

describe('coalesceDueSlots', () => {
  it('runs the latest missed slot once and reports how many were folded', () => {
    const result = coalesceDueSlots(dailyUtc, {
      dueSince: new Date('2026-01-01T02:30:00Z'),
      now: new Date('2026-01-05T12:00:00Z'),
    });
    expect(result.scheduledFor?.toISOString()).toBe('2026-01-05T02:30:00.000Z');
    expect(result.foldedCount).toBe(4);
    expect(result.nextRunAt.toISOString()).toBe('2026-01-06T02:30:00.000Z');
  });

  it('folds nothing for a run picked up on time', () => {
    const now = new Date('2026-01-01T02:30:00Z');
    const result = coalesceDueSlots(dailyUtc, { dueSince: now, now });
    expect(result.scheduledFor?.toISOString()).toBe('2026-01-01T02:30:00.000Z');
    expect(result.foldedCount).toBe(0);
    expect(result.nextRunAt.toISOString()).toBe('2026-01-02T02:30:00.000Z');
  });

  it('returns nothing when the schedule is not yet due', () => {
    const result = coalesceDueSlots(dailyUtc, {
      dueSince: new Date('2026-01-02T02:30:00Z'),
      now: new Date('2026-01-01T12:00:00Z'),
    });
    expect(result).toEqual({ scheduledFor: null, foldedCount: 0, nextRunAt: new Date('2026-01-02T02:30:00Z') });
  });

  it('counts weekly slots missed across a DST change in the zone', () => {
    const rule: TScheduleRule = { scheduleType: 'weekly', time: '02:30', dayOfWeek: 0, timezone: 'Europe/Berlin' };
    const result = coalesceDueSlots(rule, {
      dueSince: new Date('2026-03-22T01:30:00Z'), // Sun 02:30 CET
      now: new Date('2026-04-10T00:00:00Z'),
    });
    // Mar 22, Mar 29 (03:00 CEST, gap), Apr 5: three due, two folded.
    expect(result.scheduledFor?.toISOString()).toBe('2026-04-05T00:30:00.000Z');
    expect(result.foldedCount).toBe(2);
  });
});

describe('slotsBetween and latestSlotAtOrBefore', () => {
  it('lists slots in (from, to]', () => {
    const slots = slotsBetween(dailyUtc, new Date('2026-01-01T02:30:00Z'), new Date('2026-01-03T02:30:00Z'));
    expect(slots.map((s) => s.toISOString())).toEqual(['2026-01-02T02:30:00.000Z', '2026-01-03T02:30:00.000Z']);
  });

  it('honours the limit', () => {
    const slots = slotsBetween(dailyUtc, new Date('2020-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'), { limit: 5 });
    expect(slots).toHaveLength(5);
  });

  it('finds the latest slot, counting one exactly at now', () => {
    expect(latestSlotAtOrBefore(dailyUtc, new Date('2026-01-05T02:30:00Z')).toISOString()).toBe('2026-01-05T02:30:00.000Z');
    expect(latestSlotAtOrBefore(dailyUtc, new Date('2026-01-05T02:29:00Z')).toISOString()).toBe('2026-01-04T02:30:00.000Z');
    const monthly: TScheduleRule = { scheduleType: 'monthly', time: '08:00', dayOfMonth: 31, timezone: 'Europe/Berlin' };
    expect(latestSlotAtOrBefore(monthly, new Date('2028-03-15T00:00:00Z')).toISOString()).toBe('2028-02-29T07:00:00.000Z');
  });

  it('agrees with itself across the fall-back overlap', () => {
    const rule: TScheduleRule = { scheduleType: 'daily', time: '01:30', timezone: 'America/New_York' };
    // During the second 01:30 the latest slot is still the first one.
    expect(latestSlotAtOrBefore(rule, new Date('2026-11-01T06:45:00Z')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });
});
