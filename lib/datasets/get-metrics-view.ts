// The metrics for the screen and the JSON API (GET /api/v1/metrics): the same rows as the
// fct_metrics_long dataset and the FHIR MeasureReports (computeMetrics, small cells suppressed
// there), grouped per metric of the catalog. A suppressed cell carries `suppressed: true` and no
// value at all: the hidden number never leaves this function.
import { invalidInput } from "@/lib/errors/app-error";
import type { TDb } from "@/lib/db/client";
import { computeMetrics, METRICS_CATALOG, SMALL_CELL_THRESHOLD } from "@/lib/datasets/metrics";

export type TMetricCell = {
  /** First day of the period (snapshot metrics: the as-of date). */
  period: string;
  /** Internal organization id; "" when none is recorded. */
  organization_id: string;
  organization_name: string | null;
  /** Breakdown within the metric (severity, delivery format, service); "" when none. */
  dimension: string;
  suppressed: boolean;
  /** Present only when not suppressed. */
  value?: number;
};

export type TMetricView = { id: string; description: string; unit: string; grain: string; suppresses_small_counts: boolean; values: TMetricCell[] };

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

  const inPeriod = (await computeMetrics(db, asOf, since)).filter((row) => !request.periodStart || row.period_date >= request.periodStart);
  const rows = request.organizationId ? inPeriod.filter((row) => row.organization_id === request.organizationId) : inPeriod;
  // The filter offers the organizations that have a metric in the period (payers and partner
  // groups have none), and the one asked for.
  const withValues = new Set([...inPeriod.map((row) => row.organization_id), request.organizationId]);
  const metrics = METRICS_CATALOG.metrics.map(
    (metric): TMetricView => ({
      id: metric.id,
      description: metric.description,
      unit: metric.unit,
      grain: metric.grain,
      suppresses_small_counts: metric.suppress_small_counts,
      values: rows
        .filter((row) => row.metric_id === metric.id)
        .map((row) => ({
          period: row.period_date,
          organization_id: row.organization_id,
          organization_name: names.get(row.organization_id) ?? null,
          dimension: row.dimension,
          ...(row.suppressed === "true" ? { suppressed: true } : { suppressed: false, value: Number(row.value) }),
        })),
    }),
  );

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
