import { describe, expect, it } from 'vitest';

import { resolvePeriod } from './resolve-period';

const at = (iso: string) => new Date(iso);

describe('resolvePeriod', () => {
  it('resolves each period for a run in mid-month', () => {
    const run = at('2026-03-18T07:00:00Z'); // Wednesday 08:00 in Berlin
    expect(resolvePeriod('previous_day', run, 'Europe/Berlin')).toEqual({ start: '2026-03-17', end: '2026-03-17' });
    expect(resolvePeriod('previous_7_days', run, 'Europe/Berlin')).toEqual({ start: '2026-03-11', end: '2026-03-17' });
    expect(resolvePeriod('previous_30_days', run, 'Europe/Berlin')).toEqual({ start: '2026-02-16', end: '2026-03-17' });
    expect(resolvePeriod('previous_week', run, 'Europe/Berlin')).toEqual({ start: '2026-03-09', end: '2026-03-15' });
    expect(resolvePeriod('previous_month', run, 'Europe/Berlin')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(resolvePeriod('month_to_date', run, 'Europe/Berlin')).toEqual({ start: '2026-03-01', end: '2026-03-18' });
  });

  it('handles month and year boundaries', () => {
    expect(resolvePeriod('previous_month', at('2027-01-01T07:00:00Z'), 'Europe/Berlin')).toEqual({ start: '2026-12-01', end: '2026-12-31' });
    expect(resolvePeriod('previous_day', at('2027-01-01T07:00:00Z'), 'Europe/Berlin')).toEqual({ start: '2026-12-31', end: '2026-12-31' });
    expect(resolvePeriod('previous_month', at('2028-03-01T07:00:00Z'), 'Europe/Berlin')).toEqual({ start: '2028-02-01', end: '2028-02-29' });
    expect(resolvePeriod('month_to_date', at('2026-04-01T06:00:00Z'), 'Europe/Berlin')).toEqual({ start: '2026-04-01', end: '2026-04-01' });
    // Monday run: previous_week is the whole week before, not the current partial one.
    expect(resolvePeriod('previous_week', at('2026-03-16T07:00:00Z'), 'Europe/Berlin')).toEqual({ start: '2026-03-09', end: '2026-03-15' });
    // Sunday run still belongs to the week that started Monday the 9th.
    expect(resolvePeriod('previous_week', at('2026-03-15T07:00:00Z'), 'Europe/Berlin')).toEqual({ start: '2026-03-02', end: '2026-03-08' });
  });

  it('uses the local date where it differs from the UTC date', () => {
    // 2026-02-28T14:00Z is already 01:00 on March 1 in Sydney.
    const sydneyRun = at('2026-02-28T14:00:00Z');
    expect(resolvePeriod('previous_month', sydneyRun, 'Australia/Sydney')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(resolvePeriod('previous_month', sydneyRun, 'UTC')).toEqual({ start: '2026-01-01', end: '2026-01-31' });
    // 2026-04-01T02:00Z is still March 31 (22:00) in New York.
    const nyRun = at('2026-04-01T02:00:00Z');
    expect(resolvePeriod('month_to_date', nyRun, 'America/New_York')).toEqual({ start: '2026-03-01', end: '2026-03-31' });
    expect(resolvePeriod('previous_month', nyRun, 'America/New_York')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(resolvePeriod('previous_day', nyRun, 'America/New_York')).toEqual({ start: '2026-03-30', end: '2026-03-30' });
  });
});
