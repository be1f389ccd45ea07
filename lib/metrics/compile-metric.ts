// A stored metric definition compiled to what reads it: a Prisma `where` (filters and the time
// window, every value a bound parameter), the `select` of the columns it needs, and the readers
// that turn a row into its group key and contribution. Only columns of the closed source list
// can appear (metric-sources.ts); definitions were checked on save (metric-definition.ts).
import type { TMetricDefinition, TMetricFilter } from "@/lib/metrics/metric-definition";
import { findMetricSource, type TMetricSource, type TSourceColumn, type TSourceRow } from "@/lib/metrics/metric-sources";

const DAY_MS = 86_400_000;

export type TCompiledMetric = {
  source: TMetricSource;
  where: Record<string, unknown>;
  select: Record<string, unknown>;
  /** The first day of the row's period, or null when the row has no date (not counted). */
  periodOf: (row: TSourceRow) => string | null;
  organizationOf: (row: TSourceRow) => string;
  locationOf: (row: TSourceRow) => string;
  dimensionOf: (row: TSourceRow) => string;
  /** What the row adds: 1 (count), the member (count distinct), a number (sum) or null (nothing). */
  contribution: (row: TSourceRow) => number | string | null;
};

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The first day of the grain's period holding `date` (weeks start on Monday, ISO 8601; UTC). */
export function periodStart(grain: TMetricDefinition["grain"], date: Date): string {
  if (grain === "month") return `${date.toISOString().slice(0, 7)}-01`;
  if (grain === "week") return isoDay(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - ((date.getUTCDay() + 6) % 7))));

  return isoDay(date);
}

/** Deep merge of Prisma selects, so two columns of one relation share its nested select. */
function mergeSelect(into: Record<string, unknown>, add: Record<string, unknown>) {
  for (const [key, value] of Object.entries(add)) {
    const existing = into[key];
    if (existing && typeof existing === "object" && value && typeof value === "object") mergeSelect(existing as Record<string, unknown>, value as Record<string, unknown>);
    else into[key] = typeof value === "object" && value !== null ? structuredClone(value) : value;
  }
  return into;
}

function boundOf(value: number | string | { days_before_as_of: number }, asOf: Date, edge: "start" | "end") {
  if (typeof value === "number") return value;
  if (typeof value === "object") return new Date(asOf.getTime() - value.days_before_as_of * DAY_MS);

  return new Date(`${value}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}Z`);
}

function conditionOf(filter: TMetricFilter, column: TSourceColumn, asOf: Date): Record<string, unknown> {
  const asValue = (value: unknown) => (column.type === "date" ? new Date(`${String(value)}T00:00:00.000Z`) : value);
  switch (filter.op) {
    case "equals":
      // A day is a whole day: equals on a date column matches any time in it.
      return column.type === "date" ? { gte: boundOf(String(filter.value), asOf, "start"), lte: boundOf(String(filter.value), asOf, "end") } : { equals: filter.value };
    case "in":
      return { in: filter.values.map(asValue) };
    case "range":
      return { ...(filter.min !== undefined ? { gte: boundOf(filter.min, asOf, "start") } : {}), ...(filter.max !== undefined ? { lte: boundOf(filter.max, asOf, "end") } : {}) };
    case "not_null":
      return { not: null };
  }
}

const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));

/**
 * A counting metric (not a ratio) as of `asOf`: dated metrics count rows up to `asOf` (and from
 * `since`), each in its period; snapshots count every row that passes the filters, in the as-of
 * day's period.
 */
export function compileMetric(metric: TMetricDefinition, asOf: Date, since: Date | null): TCompiledMetric {
  if (metric.expression.type === "ratio" || metric.source === null) throw new Error(`metric ${metric.id} is a ratio: it is computed from its parts`);
  const source = findMetricSource(metric.source);
  if (!source) throw new Error(`metric ${metric.id} names an unknown source`);
  const columnOf = (name: string) => {
    const found = source.columns[name];
    if (!found) throw new Error(`metric ${metric.id}: no column ${name} in ${source.name}`);
    return found;
  };

  const select: Record<string, unknown> = {};
  const where: Record<string, unknown>[] = metric.filters.map((filter) => {
    const column = columnOf(filter.column);
    mergeSelect(select, column.select);
    return column.where!(conditionOf(filter, column, asOf));
  });

  let periodOf: TCompiledMetric["periodOf"];
  if (metric.time_column) {
    const time = columnOf(metric.time_column);
    mergeSelect(select, time.select);
    where.push(time.where!({ lte: asOf, ...(since ? { gte: since } : {}) }));
    periodOf = (row) => {
      const value = time.read(row);
      return value instanceof Date ? periodStart(metric.grain, value) : null;
    };
  } else {
    const snapshot = periodStart(metric.grain, asOf);
    periodOf = () => snapshot;
  }

  const organization = metric.entity_keys.includes("organization") ? source.organizations[metric.organization_from ?? Object.keys(source.organizations)[0]!]! : null;
  const location = metric.entity_keys.includes("location") ? source.location! : null;
  const dimension = metric.entity_keys.includes("dimension") && metric.dimension_column ? columnOf(metric.dimension_column) : null;
  for (const column of [organization, location, dimension]) if (column) mergeSelect(select, column.select);

  let contribution: TCompiledMetric["contribution"] = () => 1;
  if (metric.expression.type !== "count") {
    const measured = columnOf(metric.expression.column);
    mergeSelect(select, measured.select);
    contribution = metric.expression.type === "sum" ? (row) => (typeof measured.read(row) === "number" ? (measured.read(row) as number) : null) : (row) => (measured.read(row) === null ? null : text(measured.read(row)));
  }

  return {
    source,
    where: where.length ? { AND: where } : {},
    select,
    periodOf,
    organizationOf: (row) => (organization ? text(organization.read(row)) : ""),
    locationOf: (row) => (location ? text(location.read(row)) : ""),
    dimensionOf: (row) => (dimension ? text(dimension.read(row)) : ""),
    contribution,
  };
}

/** The computation in words, for analysts (datasets catalog, FHIR Measure). */
export function describeExpression(metric: TMetricDefinition): string {
  const expression = metric.expression;
  const what =
    expression.type === "ratio"
      ? `${metric.unit === "percent" ? "100 * " : ""}${expression.numerator} / ${expression.denominator}`
      : `${expression.type === "count" ? "count" : expression.type === "sum" ? `sum(${expression.column})` : `count(distinct ${expression.column})`} of ${metric.source}`;
  const filters = metric.filters.map((filter) => {
    if (filter.op === "equals") return `${filter.column} = ${JSON.stringify(filter.value)}`;
    if (filter.op === "in") return `${filter.column} in (${filter.values.map((value) => JSON.stringify(value)).join(", ")})`;
    if (filter.op === "not_null") return `${filter.column} is recorded`;
    const bound = (value: unknown) => (typeof value === "object" && value ? `${(value as { days_before_as_of: number }).days_before_as_of} days before the as-of date` : String(value));
    return [filter.min !== undefined ? `${filter.column} >= ${bound(filter.min)}` : null, filter.max !== undefined ? `${filter.column} <= ${bound(filter.max)}` : null].filter(Boolean).join(" and ");
  });
  const keys = metric.entity_keys.map((key) => (key === "dimension" ? `${metric.dimension_column} (dimension)` : key));
  const when = metric.time_column ? `by ${metric.grain} of ${metric.time_column}` : "as of the date";

  return [what, filters.length ? `where ${filters.join(" and ")}` : null, when, keys.length ? `per ${keys.join(", ")}` : null].filter(Boolean).join(", ");
}
