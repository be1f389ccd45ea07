// The dates a request may carry (report and dataset periods, audit filters). Bounded to
// 1900-01-01 .. 2100-12-31: outside them nothing in a practice's records can match, and the
// unbounded form was accepted and then failed later (a job retried three times on "0000-01-01",
// a year 9999 beyond what the PostgreSQL driver round-trips). A date must also exist: "2026-02-30"
// is refused, never rolled over into March as Date.parse does.
import { z } from "zod";

export const MIN_DATE = "1900-01-01";
export const MAX_DATE = "2100-12-31";

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A time of day with optional seconds and fraction, and an optional zone (none = UTC).
const DATE_TIME_RE = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;

const RANGE_MESSAGE = `must be between ${MIN_DATE} and ${MAX_DATE}`;

function daysInMonth(year: number, month: number) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Why `value` (YYYY-MM-DD) is not an acceptable date, or null when it is. */
export function calendarDateProblem(value: string): string | null {
  const match = DATE_RE.exec(value);
  if (!match) return "must be a date YYYY-MM-DD";
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return "is not a real calendar date";
  // Fixed-width ISO dates compare correctly as strings.
  if (value < MIN_DATE || value > MAX_DATE) return RANGE_MESSAGE;

  return null;
}

/** Why `value` (a date, or an ISO date-time) is not acceptable, or null when it is. */
export function dateOrDateTimeProblem(value: string, { requireZone = false } = {}): string | null {
  if (DATE_RE.test(value)) return calendarDateProblem(value);
  const match = DATE_TIME_RE.exec(value);
  if (!match) return `must be a date (YYYY-MM-DD) or an ISO 8601 date-time${requireZone ? " with a zone (Z or +01:00)" : ""}`;
  if (requireZone && !match[5]) return "needs a zone (Z or an offset such as +01:00)";

  return calendarDateProblem(match[1]!);
}

/** A calendar date YYYY-MM-DD that exists, within 1900-01-01 .. 2100-12-31. */
export const ZCalendarDate = z.string().superRefine((value, ctx) => {
  const problem = calendarDateProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A date, or an ISO date-time (zone optional unless required), whose date part is a ZCalendarDate. */
export function zDateOrDateTime(options: { requireZone?: boolean } = {}) {
  return z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const problem = dateOrDateTimeProblem(value, options);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}
