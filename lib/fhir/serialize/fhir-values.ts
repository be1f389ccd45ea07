// The small rules every FHIR resource CareExport writes follows (report Bundles, the REST API,
// and later Bulk NDJSON): valid ids, no empty elements, dates only where they are dates.

export type TFhirResource = Record<string, unknown> & { resourceType: string; id: string };
export type TReference = { reference?: string; display?: string };
export type TMeta = { lastUpdated?: string; security?: { system: string; code: string; display?: string }[]; tag?: { system: string; code: string; display?: string }[] };

const FHIR_ID_RE = /[^A-Za-z0-9\-.]/g;

/** Any text as a FHIR id ([A-Za-z0-9-.]{1,64}). */
export const toFhirId = (value: string) => value.replace(FHIR_ID_RE, "-").slice(0, 64) || "x";

export const referenceTo = (resource: { resourceType: string; id: string }): TReference => ({ reference: `${resource.resourceType}/${resource.id}` });

export const GENDERS = new Set(["male", "female", "other", "unknown"]);
export const GOAL_LIFECYCLE = new Set(["proposed", "planned", "accepted", "active", "on-hold", "completed", "cancelled", "entered-in-error", "rejected"]);
export const CARE_PLAN_STATUS = new Set(["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"]);

/** A calendar date, or a year or year-month (a bare date is a valid dateTime too). */
export const isFhirDate = (value: string | null | undefined): value is string => Boolean(value && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value));

/** Drops null, undefined, "" and empty arrays, so no resource carries an empty element (R4 forbids them). */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0) && value !== "")) as T;
}

/** Non-null entries of a list of optional elements. */
export function present<T>(values: (T | null | undefined | false)[]): T[] {
  return values.filter((value): value is T => Boolean(value));
}
