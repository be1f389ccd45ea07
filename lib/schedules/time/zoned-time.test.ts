import { describe, expect, it } from 'vitest';

import { canonicalTimeZone, daysInMonth, getOffsetMs, isValidTimeZone, zonedTimeToUtcDetailed } from './zoned-time';

function resolve(y: number, m: number, d: number, h: number, min: number, tz: string) {
  const { date, resolution } = zonedTimeToUtcDetailed(y, m, d, h, min, tz);

  return { iso: date.toISOString(), resolution };
}

describe('zonedTimeToUtc', () => {
  it('maps ordinary local times in both seasons', () => {
    expect(resolve(2026, 1, 15, 8, 0, 'Europe/Berlin')).toEqual({ iso: '2026-01-15T07:00:00.000Z', resolution: 'exact' });
    expect(resolve(2026, 7, 15, 8, 0, 'Europe/Berlin')).toEqual({ iso: '2026-07-15T06:00:00.000Z', resolution: 'exact' });
    expect(resolve(2026, 7, 15, 8, 0, 'America/New_York')).toEqual({ iso: '2026-07-15T12:00:00.000Z', resolution: 'exact' });
    expect(resolve(2026, 6, 1, 12, 0, 'Asia/Kolkata')).toEqual({ iso: '2026-06-01T06:30:00.000Z', resolution: 'exact' });
    expect(resolve(2026, 6, 1, 12, 0, 'UTC')).toEqual({ iso: '2026-06-01T12:00:00.000Z', resolution: 'exact' });
  });

  it('moves a time inside a spring-forward gap to the end of the gap', () => {
    // 02:00 -> 03:00 local; 02:30 does not exist and runs at 03:00.
    expect(resolve(2026, 3, 8, 2, 30, 'America/New_York')).toEqual({ iso: '2026-03-08T07:00:00.000Z', resolution: 'gap' });
    expect(resolve(2026, 3, 29, 2, 30, 'Europe/Berlin')).toEqual({ iso: '2026-03-29T01:00:00.000Z', resolution: 'gap' });
    expect(resolve(2026, 10, 4, 2, 30, 'Australia/Sydney')).toEqual({ iso: '2026-10-03T16:00:00.000Z', resolution: 'gap' });
    // Lord Howe shifts by 30 minutes only.
    expect(resolve(2026, 10, 4, 2, 15, 'Australia/Lord_Howe')).toEqual({ iso: '2026-10-03T15:30:00.000Z', resolution: 'gap' });
  });

  it('resolves a whole skipped day (Samoa, 2011-12-30) to the first instant after it', () => {
    expect(resolve(2011, 12, 30, 12, 0, 'Pacific/Apia')).toEqual({ iso: '2011-12-30T10:00:00.000Z', resolution: 'gap' });
  });

  it('picks the first occurrence of a time repeated by a fall-back', () => {
    expect(resolve(2026, 11, 1, 1, 30, 'America/New_York')).toEqual({ iso: '2026-11-01T05:30:00.000Z', resolution: 'overlap' });
    expect(resolve(2026, 10, 25, 2, 30, 'Europe/Berlin')).toEqual({ iso: '2026-10-25T00:30:00.000Z', resolution: 'overlap' });
    expect(resolve(2026, 4, 5, 2, 30, 'Australia/Sydney')).toEqual({ iso: '2026-04-04T15:30:00.000Z', resolution: 'overlap' });
  });

  it('treats the edges of a transition correctly', () => {
    // 03:00 is the first valid time after the New York gap; 01:59 the last before it.
    expect(resolve(2026, 3, 8, 3, 0, 'America/New_York')).toEqual({ iso: '2026-03-08T07:00:00.000Z', resolution: 'exact' });
    expect(resolve(2026, 3, 8, 1, 59, 'America/New_York')).toEqual({ iso: '2026-03-08T06:59:00.000Z', resolution: 'exact' });
    // 02:00 after fall-back happens only once (01:59 EDT is followed by 01:00 EST).
    expect(resolve(2026, 11, 1, 2, 0, 'America/New_York')).toEqual({ iso: '2026-11-01T07:00:00.000Z', resolution: 'exact' });
  });
});

describe('zone helpers', () => {
  it('validates IANA names and rejects offsets and junk', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Etc/GMT+5')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('+01:00')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
  });

  it('reports offsets and month lengths', () => {
    expect(getOffsetMs(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2027, 2)).toBe(28);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2026, 12)).toBe(31);
  });
});

describe('zonedTimeToUtc invariants over a whole year', () => {
  // Zones with 1-hour, 30-minute and midnight transitions in both hemispheres.
  const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Beirut'];
  const times: Array<[number, number]> = [
    [0, 0],
    [0, 30],
    [1, 30],
    [2, 0],
    [2, 30],
    [3, 0],
    [23, 30],
  ];

  it.each(zones)('%s: exact and overlap round-trip; gaps land on the transition', (tz) => {
    const counts = { exact: 0, gap: 0, overlap: 0 };
    for (let day = Date.UTC(2026, 0, 1); day < Date.UTC(2027, 0, 1); day += 86_400_000) {
      const d = new Date(day);
      const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
      for (const [h, min] of times) {
        const { date, resolution } = zonedTimeToUtcDetailed(y, m, dd, h, min, tz);
        counts[resolution]++;
        const local = getOffsetMs(date.getTime(), tz) + date.getTime();
        const wanted = Date.UTC(y, m - 1, dd, h, min);
        if (resolution === 'gap') {
          // Later than asked, and the offset changes exactly at the returned instant.
          expect(local).toBeGreaterThan(wanted);
          expect(getOffsetMs(date.getTime() - 1000, tz)).not.toBe(getOffsetMs(date.getTime(), tz));
        } else {
          expect(local).toBe(wanted);
        }
        if (resolution === 'overlap') {
          // It is the first occurrence: the same wall time comes round again later.
          const later = [1, 2, 3, 4].map((k) => date.getTime() + k * 30 * 60_000);
          expect(later.some((t) => getOffsetMs(t, tz) + t === wanted)).toBe(true);
        }
      }
    }
    expect(counts.exact).toBeGreaterThan(2500);
    expect(counts.gap).toBeGreaterThan(0);
    expect(counts.overlap).toBeGreaterThan(0);
  });
});
