// A metric definition as an admin writes it (API and portal editor): the shape (zod) and the
// checks against the closed set of sources and columns, each failure naming its field. Only what
// passes here is stored, and only stored definitions are compiled (compile-metric.ts).
import { z } from "zod";

import { AppError, type TIssue } from "@/lib/errors/app-error";
import { toIssues } from "@/lib/errors/parse-or-throw";
import { findMetricSource, METRIC_SOURCE_NAMES, type TColumnType } from "@/lib/metrics/metric-sources";

export const METRIC_UNITS = ["count", "percent"] as const;
export const METRIC_GRAINS = ["day", "week", "month"] as const;
export const METRIC_ENTITY_KEYS = ["organization", "location", "dimension"] as const;
export const METRIC_EXPRESSIONS = ["count", "count_distinct", "sum", "ratio"] as const;
export const METRIC_FILTER_OPS = ["equals", "in", "range", "not_null"] as const;

export const ZMetricId = z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, "must be 2-63 lowercase letters, digits or _, starting with a letter");

const ZScalar = z.union([z.string().max(200), z.number().finite(), z.boolean()]);
/** A date bound: a calendar day, or a number of days before the as-of moment. */
const ZBound = z.union([z.number().finite(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a YYYY-MM-DD date"), z.strictObject({ days_before_as_of: z.number().int().min(0).max(3660) })]);

const ZFilter = z.discriminatedUnion("op", [
  z.strictObject({ column: z.string().max(64), op: z.literal("equals"), value: ZScalar }),
  z.strictObject({ column: z.string().max(64), op: z.literal("in"), values: z.array(ZScalar).min(1, "must list at least one value").max(100) }),
  z.strictObject({ column: z.string().max(64), op: z.literal("range"), min: ZBound.optional(), max: ZBound.optional() }),
  z.strictObject({ column: z.string().max(64), op: z.literal("not_null") }),
]);
export type TMetricFilter = z.infer<typeof ZFilter>;

const ZExpression = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("count") }),
  z.strictObject({ type: z.literal("count_distinct"), column: z.string().max(64) }),
  z.strictObject({ type: z.literal("sum"), column: z.string().max(64) }),
  z.strictObject({ type: z.literal("ratio"), numerator: ZMetricId, denominator: ZMetricId }),
]);
export type TMetricExpression = z.infer<typeof ZExpression>;

/** The editable part of a metric (everything but its id, version and status). */
export const ZMetricBody = z.strictObject({
  description: z.string().trim().min(3, "must say what the metric counts").max(500),
  unit: z.enum(METRIC_UNITS, { message: `must be one of ${METRIC_UNITS.join(", ")}` }),
  grain: z.enum(METRIC_GRAINS, { message: `must be one of ${METRIC_GRAINS.join(", ")}` }),
  entity_keys: z.array(z.enum(METRIC_ENTITY_KEYS, { message: `must be one of ${METRIC_ENTITY_KEYS.join(", ")}` })).max(3).default(["organization"]),
  /** The column whose values form the `dimension` key (severity, service...). */
  dimension_column: z.string().max(64).nullable().default(null),
  /** Which organization a row counts for, where the source offers more than one (default: its first). */
  organization_from: z.string().max(64).nullable().default(null),
  /** Ratio metrics take their source from the numerator; others name one. */
  source: z.string().max(64).nullable().default(null),
  /** The date column bucketed by the grain; null: the value as of the day (a snapshot). */
  time_column: z.string().max(64).nullable().default(null),
  expression: ZExpression,
  filters: z.array(ZFilter).max(20).default([]),
  /** The value counts patients: values 1 to 10 are shown as suppressed. */
  suppress_small_counts: z.boolean().default(false),
});
export type TMetricBody = z.output<typeof ZMetricBody>;
export type TMetricBodyInput = z.input<typeof ZMetricBody>;

export const ZNewMetric = ZMetricBody.extend({ id: ZMetricId });

/** A stored, current definition. */
export type TMetricDefinition = TMetricBody & { id: string; version: number; status: "active" | "retired" };

type TCatalogLookup = (metricId: string) => TMetricDefinition | null;

const SCALAR_TYPES: Record<TColumnType, (value: unknown) => boolean> = {
  string: (value) => typeof value === "string",
  id: (value) => typeof value === "string",
  number: (value) => typeof value === "number",
  boolean: (value) => typeof value === "boolean",
  date: (value) => typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value),
};

/**
 * The checks the shape cannot express: sources, columns and their types, keys, ratios of existing
 * metrics. Returns every problem, each with its field.
 */
export function checkMetricBody(id: string, body: TMetricBody, lookup: TCatalogLookup): TIssue[] {
  const issues: TIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  if (new Set(body.entity_keys).size !== body.entity_keys.length) issue("entity_keys", "lists a key twice");

  if (body.expression.type === "ratio") {
    const { numerator, denominator } = body.expression;
    const parts = { numerator: lookup(numerator), denominator: lookup(denominator) };
    for (const [part, metric] of Object.entries(parts)) {
      const path = `expression.${part}`;
      const name = part === "numerator" ? numerator : denominator;
      if (name === id) issue(path, "cannot be the metric itself");
      else if (!metric || metric.status !== "active") issue(path, `names no active metric ("${name}")`);
      else if (metric.expression.type === "ratio") issue(path, `"${name}" is itself a ratio; a ratio is of two counts or sums`);
      else if (metric.grain !== body.grain) issue(path, `"${name}" has grain ${metric.grain}, not ${body.grain}`);
      else if ((metric.time_column === null) !== (parts.numerator?.time_column === null)) issue(path, "numerator and denominator must both be snapshots or both be dated");
    }
    if (parts.numerator && parts.denominator) {
      if (JSON.stringify([...parts.numerator.entity_keys].sort()) !== JSON.stringify([...body.entity_keys].sort())) issue("entity_keys", `must equal the numerator's (${parts.numerator.entity_keys.join(", ") || "none"})`);
      const extra = parts.denominator.entity_keys.filter((key) => !parts.numerator!.entity_keys.includes(key));
      if (extra.length) issue("expression.denominator", `is broken down by ${extra.join(", ")}, which the numerator is not`);
    }
    for (const field of ["source", "time_column", "dimension_column", "organization_from"] as const) {
      if (body[field] !== null) issue(field, "does not apply to a ratio (the numerator's is used)");
    }
    if (body.filters.length) issue("filters", "do not apply to a ratio (filter its numerator and denominator)");

    return issues;
  }

  // A ratio's breakdown is its numerator's; a counting metric names the column of its own.
  if (body.entity_keys.includes("dimension") !== (body.dimension_column !== null)) {
    issue("dimension_column", body.dimension_column === null ? 'is required when entity_keys has "dimension"' : 'applies only when entity_keys has "dimension"');
  }
  if (body.source === null) {
    issue("source", `is required: one of ${METRIC_SOURCE_NAMES.join(", ")}`);
    return issues;
  }
  const source = findMetricSource(body.source);
  if (!source) {
    issue("source", `is not a known source (one of ${METRIC_SOURCE_NAMES.join(", ")})`);
    return issues;
  }
  const known = Object.keys(source.columns).join(", ");
  const column = (path: string, name: string, types?: TColumnType[]) => {
    const found = source.columns[name];
    if (!found) issue(path, `"${name}" is not a column of ${source.name} (${known})`);
    else if (types && !types.includes(found.type)) issue(path, `"${name}" is a ${found.type} column; this needs ${types.join(" or ")}`);
    return found ?? null;
  };

  if (body.expression.type === "count_distinct") column("expression.column", body.expression.column);
  if (body.expression.type === "sum") column("expression.column", body.expression.column, ["number"]);
  if (body.time_column !== null) column("time_column", body.time_column, ["date"]);
  if (body.dimension_column !== null) column("dimension_column", body.dimension_column, ["string", "boolean", "number"]);
  if (body.organization_from !== null && !source.organizations[body.organization_from]) {
    issue("organization_from", `must be one of ${Object.keys(source.organizations).join(", ")} for ${source.name}`);
  }
  if (body.entity_keys.includes("location") && !source.location) issue("entity_keys", `${source.name} records no location`);

  body.filters.forEach((filter, index) => {
    const path = `filters.${index}`;
    const found = column(`${path}.column`, filter.column);
    if (!found) return;
    if (!found.where) return issue(`${path}.column`, `"${filter.column}" cannot be filtered on`);
    const check = (value: unknown, at: string) => {
      if (!SCALAR_TYPES[found.type](value)) issue(at, `must be a ${found.type === "date" ? "YYYY-MM-DD date" : found.type} for "${filter.column}"`);
    };
    if (filter.op === "equals") check(filter.value, `${path}.value`);
    if (filter.op === "in") filter.values.forEach((value, valueIndex) => check(value, `${path}.values.${valueIndex}`));
    if (filter.op === "range") {
      if (filter.min === undefined && filter.max === undefined) issue(path, "a range needs min, max or both");
      if (!["number", "date"].includes(found.type)) issue(`${path}.column`, `a range needs a number or date column, and "${filter.column}" is ${found.type}`);
      for (const bound of ["min", "max"] as const) {
        const value = filter[bound];
        if (value === undefined || typeof value === "object") {
          if (value !== undefined && found.type !== "date") issue(`${path}.${bound}`, "days_before_as_of applies to date columns");
          continue;
        }
        check(value, `${path}.${bound}`);
      }
      if (typeof filter.min === typeof filter.max && typeof filter.min !== "object" && filter.min! > filter.max!) issue(`${path}.min`, "is above max");
    }
  });

  return issues;
}

/** Parse and check, or a 400 listing every field at fault. */
export function parseMetricBody(id: string, input: unknown, lookup: TCatalogLookup, schema: z.ZodType<TMetricBody> = ZMetricBody): TMetricBody {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidDefinition(toIssues(parsed.error));
  const issues = checkMetricBody(id, parsed.data, lookup);
  if (issues.length) throw invalidDefinition(issues);

  return parsed.data;
}

export function invalidDefinition(issues: TIssue[]) {
  return new AppError("INVALID_INPUT", `Invalid metric definition: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`, { issues });
}
