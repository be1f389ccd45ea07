// FHIR search parameter values -> Prisma filters: tokens (system|code), dates with prefixes,
// references (Type/id), strings (starts-with, case-insensitive on both databases).
import { calendarDateProblem } from "@/lib/dates/bounded-dates";
import { AppError } from "@/lib/errors/app-error";

export type TWhere = Record<string, unknown>;

export const invalidSearch = (parameter: string, message: string) => new AppError("INVALID_INPUT", `${parameter}: ${message}`, { issues: [{ path: parameter, message }] });

/** One occurrence of a token parameter: comma-separated alternatives. */
export function tokenValues(parameter: string, value: string): { system: string | null; code: string }[] {
  return value.split(",").map((part) => {
    const bar = part.indexOf("|");
    const system = bar >= 0 ? part.slice(0, bar) || null : null;
    const code = bar >= 0 ? part.slice(bar + 1) : part;
    if (!code) throw invalidSearch(parameter, "needs a code (system|code or code)");
    return { system, code };
  });
}

const DATE_PREFIXES = ["eq", "ne", "gt", "lt", "ge", "le", "sa", "eb"] as const;
type TDatePrefix = (typeof DATE_PREFIXES)[number];

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * A date parameter value as a half-open range [low, high) of instants and the prefix.
 * `yearsOnly`: the de-identified view shows patients' dates as years (or shifted), so it filters
 * by year only; a finer filter would let a caller find a real date by bisection.
 */
export function parseDateValue(parameter: string, value: string, yearsOnly: boolean): { prefix: TDatePrefix; low: Date; high: Date; precision: "year" | "month" | "day" | "time" } {
  const prefix = (DATE_PREFIXES as readonly string[]).includes(value.slice(0, 2)) ? (value.slice(0, 2) as TDatePrefix) : "eq";
  const text = DATE_PREFIXES.includes(value.slice(0, 2) as TDatePrefix) ? value.slice(2) : value;
  if (value.startsWith("ap")) throw invalidSearch(parameter, "the ap (approximately) prefix is not supported");
  const match = DATE_RE.exec(text);
  if (!match) throw invalidSearch(parameter, "must be a date: [prefix]YYYY, YYYY-MM, YYYY-MM-DD or a dateTime with a time zone");
  const [, year, month, day, hour, minute, second, zone] = match;
  if (yearsOnly && month) throw invalidSearch(parameter, "de-identified searches filter dates by year only (e.g. ge2024)");
  const y = Number(year);
  const m = Number(month ?? 1);
  const d = Number(day ?? 1);
  // The one date rule (lib/dates): 1900-01-01 .. 2100-12-31 and a day that exists, also when a
  // time follows ("2026-02-30T10:00Z" would otherwise roll over into March).
  const problem = calendarDateProblem(`${year}-${month ?? "01"}-${day ?? "01"}`);
  if (problem) throw invalidSearch(parameter, problem);
  if (hour && (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59)) throw invalidSearch(parameter, "is not a valid time of day");
  if (hour) {
    const low = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second ?? "00"}${zone === "Z" ? "Z" : zone}`);
    if (Number.isNaN(low.getTime())) throw invalidSearch(parameter, "is not a valid dateTime");
    return { prefix, low, high: new Date(low.getTime() + (second ? 1_000 : 60_000)), precision: "time" };
  }
  const low = new Date(Date.UTC(y, m - 1, d));
  if (low.getUTCDate() !== d) throw invalidSearch(parameter, "is not a calendar date");
  const high = day ? new Date(Date.UTC(y, m - 1, d + 1)) : month ? new Date(Date.UTC(y, m, 1)) : new Date(Date.UTC(y + 1, 0, 1));

  return { prefix, low, high, precision: day ? "day" : month ? "month" : "year" };
}

/** A date range filter on a DateTime column, or (asText) on a YYYY-MM-DD text column. */
export function dateWhere(field: string, range: ReturnType<typeof parseDateValue>, asText = false): TWhere {
  const at = (date: Date) => (asText ? date.toISOString().slice(0, 10) : date);
  const low = at(range.low);
  const high = at(range.high);
  switch (range.prefix) {
    case "eq":
      return { [field]: { gte: low, lt: high } };
    case "ne":
      return { OR: [{ [field]: { lt: low } }, { [field]: { gte: high } }] };
    case "gt":
    case "sa":
      return { [field]: { gte: high } };
    case "ge":
      return { [field]: { gte: low } };
    case "lt":
    case "eb":
      return { [field]: { lt: low } };
    case "le":
      return { [field]: { lt: high } };
  }
}

/** "Patient/abc", "abc" or an absolute URL ending in Patient/abc -> "abc" (null: another type). */
export function referenceId(parameter: string, value: string, type: string): string | null {
  const parts = value.split("/").filter(Boolean);
  if (!parts.length) throw invalidSearch(parameter, "needs a reference (Type/id or id)");
  if (parts.length === 1) return parts[0]!;
  if (parts[parts.length - 2] !== type) return null;

  return parts[parts.length - 1]!;
}

/** FHIR string search: starts with, case-insensitive. SQLite LIKE is; PostgreSQL gets the usual casings. */
export function startsWithAny(fields: string[], value: string): TWhere {
  const variants = [...new Set([value, value.toLowerCase(), value.charAt(0).toUpperCase() + value.slice(1).toLowerCase(), value.toUpperCase()])];

  return { OR: variants.flatMap((variant) => fields.map((field) => ({ [field]: { startsWith: variant } }))) };
}
