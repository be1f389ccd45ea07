// The one rule for which diagnoses belong to a report's period: progress reports, insurance
// reports and the claims they carry all ask it.

/** Clinical statuses under which a condition is still going on (FHIR condition-clinical). */
const ONGOING_STATUSES = new Set(["active", "recurrence", "relapse"]);

export type TConditionDates = {
  clinicalStatus: string | null;
  /** YYYY-MM-DD (or a FHIR dateTime); null when not recorded. */
  onsetDate: string | null;
  /** The stored FHIR resource: abatement[x] and meta.lastUpdated are read from it. */
  raw: unknown;
  /** When this copy of the condition last changed (the import that brought its current status). */
  updatedAt?: Date | null;
};

export type TPeriod = { start: string; end: string };

/** A FHIR date or dateTime's YYYY-MM-DD, or null. */
function dayOf(value: unknown): string | null {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null;
}

/**
 * The day a condition stopped, or null while it goes on: its abatement date (abatementDateTime,
 * abatementPeriod.end), else, for a resolved, inactive or remitted one without it, the day its
 * status changed as far as anyone recorded (the resource's meta.lastUpdated, else the day this copy
 * last changed). A status change is never earlier than the abatement it reports, so a condition
 * resolved after the period without an abatement date still counts for the period.
 */
export function abatementDayOf(condition: TConditionDates): string | null {
  if (!condition.clinicalStatus || ONGOING_STATUSES.has(condition.clinicalStatus)) return null;
  const raw = (condition.raw ?? {}) as { abatementDateTime?: unknown; abatementPeriod?: { end?: unknown; start?: unknown }; meta?: { lastUpdated?: unknown } };
  const recorded = dayOf(raw.abatementDateTime) ?? dayOf(raw.abatementPeriod?.end) ?? dayOf(raw.abatementPeriod?.start);
  if (recorded) return recorded;

  return dayOf(raw.meta?.lastUpdated) ?? (condition.updatedAt ? condition.updatedAt.toISOString().slice(0, 10) : null);
}

/**
 * A condition belongs to a period when its onset is on or before the period's end (or unknown)
 * and it was not abated before the period's start. Without a period (a report of "now"), only a
 * condition that goes on belongs.
 */
export function conditionBelongsToPeriod(condition: TConditionDates, period: TPeriod | null): boolean {
  const abated = abatementDayOf(condition);
  const isOngoing = !condition.clinicalStatus || ONGOING_STATUSES.has(condition.clinicalStatus);
  if (!period) return isOngoing;
  const onset = dayOf(condition.onsetDate);
  if (onset && onset > period.end) return false;
  if (isOngoing) return true;

  // Stopped, but we cannot tell when: not known to have been going on, so not claimed.
  return abated !== null && abated >= period.start;
}
