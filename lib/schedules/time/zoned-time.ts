// Time-zone primitives built on Intl only (no tz library): the platform's ICU data is the
// single source of truth for offsets, so schedules follow whatever tzdata the runtime ships.

export type TZonedParts = {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
};

/**
 * How a local wall-clock time mapped to an instant:
 * - `exact`: it exists once;
 * - `gap`: it does not exist (spring forward); the instant is the first one after the gap;
 * - `overlap`: it exists twice (fall back); the instant is the first occurrence.
 */
export type TZonedResolution = 'exact' | 'gap' | 'overlap';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

// Real offsets lie within UTC-12..UTC+14; sampling just outside that window brackets every
// instant that could carry a given local time, so one transition inside it is always seen.
const EARLIEST_OFFSET_MS = -13 * HOUR_MS;
const LATEST_OFFSET_MS = 15 * HOUR_MS;

const formatterCache = new Map<string, Intl.DateTimeFormat>();

function getFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatterCache.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatterCache.set(timeZone, formatter);
  }

  return formatter;
}

/** True when the runtime's Intl knows this IANA zone name (e.g. `Europe/Berlin`, `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  // Intl in newer runtimes also accepts raw offsets such as "+01:00"; those have no DST
  // rules and are not zone names, so they are refused here.
  if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(timeZone)) {
    return false;
  }
  try {
    getFormatter(timeZone);

    return true;
  } catch {
    return false;
  }
}

/** The canonical spelling Intl uses for a zone (`utc` -> `UTC`, `europe/berlin` -> `Europe/Berlin`). */
export function canonicalTimeZone(timeZone: string): string {
  return getFormatter(timeZone).resolvedOptions().timeZone;
}

/** Wall-clock fields of `date` as seen in `timeZone`. */
export function getZonedParts(date: Date, timeZone: string): TZonedParts {
  const fields: Record<string, string> = {};
  for (const part of getFormatter(timeZone).formatToParts(date)) {
    fields[part.type] = part.value;
  }
  const year = Number(fields.year);
  const month = Number(fields.month);
  const day = Number(fields.day);

  return {
    year,
    month,
    day,
    // Some ICU builds print midnight as "24" even with h23; normalise defensively.
    hour: Number(fields.hour) % 24,
    minute: Number(fields.minute),
    second: Number(fields.second),
    weekday: weekdayOf(year, month, day),
  };
}

/** Offset of `timeZone` from UTC at the instant `epochMs`, in ms (local = utc + offset). */
export function getOffsetMs(epochMs: number, timeZone: string): number {
  // Whole seconds only: Intl has no millisecond field, so compare like with like.
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  const p = getZonedParts(new Date(wholeSecond), timeZone);
  const asUtc = utcMs(p.year, p.month, p.day, p.hour, p.minute, p.second);

  return asUtc - wholeSecond;
}

/**
 * The instant at which the wall clock in `timeZone` reads y-m-d h:min.
 *
 * Candidate offsets come from both ends of the window that could hold the answer; each is
 * checked by round-tripping. Two valid instants mean a fall-back overlap (the earlier wins);
 * none means a spring-forward gap, resolved to the transition itself (the first valid
 * instant after the gap, e.g. 03:00 for a missing 02:30), found by bisection.
 */
export function zonedTimeToUtcDetailed(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): { date: Date; resolution: TZonedResolution } {
  const localMs = utcMs(year, month, day, hour, minute, 0);
  const offsetEarly = getOffsetMs(localMs - LATEST_OFFSET_MS, timeZone);
  const offsetLate = getOffsetMs(localMs - EARLIEST_OFFSET_MS, timeZone);
  const candidates = new Set<number>([offsetEarly, offsetLate]);
  // A third guess guards against the rare window holding two transitions.
  candidates.add(getOffsetMs(localMs - offsetEarly, timeZone));

  const valid = [...candidates]
    .map((offset) => localMs - offset)
    .filter((instant) => getOffsetMs(instant, timeZone) === localMs - instant)
    .sort((a, b) => a - b);

  if (valid.length > 0) {
    return {
      date: new Date(valid[0]),
      resolution: valid.length > 1 ? 'overlap' : 'exact',
    };
  }

  return { date: new Date(findTransition(localMs, offsetEarly, offsetLate, timeZone)), resolution: 'gap' };
}

/** Convenience form of {@link zonedTimeToUtcDetailed} returning only the instant. */
export function zonedTimeToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): Date {
  return zonedTimeToUtcDetailed(year, month, day, hour, minute, timeZone).date;
}

// In a gap the clock jumps forward, so the offset after the transition is the larger one.
// Reading the missing local time with each offset gives two instants that straddle the
// transition; bisect between them on whole seconds (tzdata transitions are whole seconds).
function findTransition(localMs: number, offsetA: number, offsetB: number, timeZone: string): number {
  const before = Math.min(offsetA, offsetB);
  const after = Math.max(offsetA, offsetB);
  let lo = Math.floor((localMs - after) / 1000);
  let hi = Math.ceil((localMs - before) / 1000);
  const offsetAtHi = getOffsetMs(hi * 1000, timeZone);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (getOffsetMs(mid * 1000, timeZone) === offsetAtHi) {
      hi = mid;
    } else {
      lo = mid;
    }
  }

  return hi * 1000;
}

// ---- plain calendar arithmetic (no zone involved) ----

export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC maps years 0-99 to 1900-1999; pin the literal year instead.
  if (year >= 0 && year < 100) {
    const d = new Date(ms);
    d.setUTCFullYear(year);

    return d.getTime();
  }

  return ms;
}

export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(utcMs(year, month + 1, 1) - 86_400_000).getUTCDate();
}

export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(utcMs(year, month, day)).getUTCDay();
}

export type TCalendarDate = { year: number; month: number; day: number };

export function addDays(date: TCalendarDate, days: number): TCalendarDate {
  const d = new Date(utcMs(date.year, date.month, date.day) + days * 86_400_000);

  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function formatCalendarDate(date: TCalendarDate): string {
  return `${String(date.year).padStart(4, '0')}-${pad2(date.month)}-${pad2(date.day)}`;
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
