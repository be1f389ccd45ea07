// The metrics for the screen and the JSON API (GET /api/v1/metrics): the same rows as the
// fct_metrics_long dataset (live values and the stored daily snapshots; small cells suppressed
// there), grouped per active metric of the catalog, each with its series for a small chart. A
// suppressed cell carries `suppressed: true` and no value at all: the hidden number never leaves
// this function.
import { invalidInput } from "@/lib/errors/app-error";
import type { TDb } from "@/lib/db/client";
import { describeExpression } from "@/lib/metrics/compile-metric";
import { loadMetricCatalog, SMALL_CELL_THRESHOLD } from "@/lib/metrics/metric-catalog";
import { readMetricSeries } from "@/lib/metrics/metric-series";

export type TMetricCell = {
  /** First day of the period (snapshot metrics: the as-of date). */
  period: string;
  /** Internal organization id; "" when none is recorded. */
  organization_id: string;
  organization_name: string | null;
  /** Internal location id, for metrics per location; else "". */
  location_id: string;
  /** Breakdown within the metric (severity, delivery format, service); "" when none. */
  dimension: string;
  suppressed: boolean;
  /** Present only when not suppressed. */
  value?: number;
};

/**
 * One point per period: counts add up the shown cells, percents average them; `suppressed_cells`
 * says how many cells of the period are left out.
 */
export type TSeriesPoint = { period: string; value: number | null; cells: number; suppressed_cells: number };

export type TMetricView = {
  id: string;
  version: number;
  description: string;
  computed_as: string;
  unit: string;
  grain: string;
  /** true: a value as of a day (its series comes from the daily snapshots). */
  is_snapshot: boolean;
  suppresses_small_counts: boolean;
  values: TMetricCell[];
  series: TSeriesPoint[];
};

export type TMetricsView = {
  as_of: string;
  period_start: string | null;
  period_end: string;
  organization: string | null;
  small_cell_threshold: number;
  /** The organizations with a value in the period (the organization filter's choices). */
  organizations: { id: string; name: string }[];
  metrics: TMetricView[];
};

export type TMetricsViewRequest = {
  /** YYYY-MM-DD: dated metrics from this day (month metrics: months starting on or after it). */
  periodStart: string | null;
  /** YYYY-MM-DD: the as-of day (end of that day, or now when that is earlier). */
  periodEnd: string | null;
  organizationId: string | null;
};

function seriesOf(values: TMetricCell[], unit: string): TSeriesPoint[] {
  const byPeriod = new Map<string, TMetricCell[]>();
  for (const cell of values) byPeriod.set(cell.period, [...(byPeriod.get(cell.period) ?? []), cell]);

  return [...byPeriod.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, cells]) => {
      const shown = cells.filter((cell) => !cell.suppressed).map((cell) => cell.value!);
      const total = shown.reduce((sum, value) => sum + value, 0);
      const value = shown.length === 0 ? null : unit === "percent" ? Math.round((10 * total) / shown.length) / 10 : Math.round(total * 100) / 100;

      return { period, value, cells: cells.length, suppressed_cells: cells.length - shown.length };
    });
}

const endOfDay = (date: string) => new Date(`${date}T23:59:59.999Z`);

export async function getMetricsView(db: TDb, request: TMetricsViewRequest, now = new Date()): Promise<TMetricsView> {
  if (request.periodStart && request.periodEnd && request.periodStart > request.periodEnd) {
    throw invalidInput("period_start", "is after period_end");
  }
  const organizations = await db.organization.findMany({ select: { id: true, name: true }, orderBy: [{ name: "asc" }, { id: "asc" }] });
  if (request.organizationId && !organizations.some((organization) => organization.id === request.organizationId)) {
    throw invalidInput("organization", "names no organization of this practice");
  }
  const asOf = request.periodEnd ? new Date(Math.min(now.getTime(), endOfDay(request.periodEnd).getTime())) : now;
  const since = request.periodStart ? new Date(`${request.periodStart}T00:00:00.000Z`) : null;
  const names = new Map(organizations.map((organization) => [organization.id, organization.name]));

  const catalog = await loadMetricCatalog(db);
  const inPeriod = (await readMetricSeries(db, asOf, since)).filter((row) => !request.periodStart || row.period_date >= request.periodStart);
  const rows = request.organizationId ? inPeriod.filter((row) => row.organization_id === request.organizationId) : inPeriod;
  // The filter offers the organizations that have a metric in the period (payers and partner
  // groups have none), and the one asked for.
  const withValues = new Set([...inPeriod.map((row) => row.organization_id), request.organizationId]);
  const metrics = catalog.map((metric): TMetricView => {
    const values = rows
      .filter((row) => row.metric_id === metric.id)
      .map(
        (row): TMetricCell => ({
          period: row.period_date,
          organization_id: row.organization_id,
          organization_name: names.get(row.organization_id) ?? null,
          location_id: row.location_id,
          dimension: row.dimension,
          ...(row.suppressed === "true" ? { suppressed: true } : { suppressed: false, value: Number(row.value) }),
        }),
      );

    return {
      id: metric.id,
      version: metric.version,
      description: metric.description,
      computed_as: describeExpression(metric),
      unit: metric.unit,
      grain: metric.grain,
      is_snapshot: metric.expression.type === "ratio" ? !catalog.some((part) => metric.expression.type === "ratio" && part.id === metric.expression.numerator && part.time_column !== null) : metric.time_column === null,
      suppresses_small_counts: metric.suppress_small_counts,
      values,
      series: seriesOf(values, metric.unit),
    };
  });

  return {
    as_of: asOf.toISOString(),
    period_start: request.periodStart,
    period_end: asOf.toISOString().slice(0, 10),
    organization: request.organizationId,
    small_cell_threshold: SMALL_CELL_THRESHOLD,
    organizations: organizations.filter((organization) => withValues.has(organization.id)),
    metrics,
  };
}
