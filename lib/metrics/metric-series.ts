// fct_metrics_long with its history: the live values as of `asOf`, and for metrics that are only
// known "as of a day" (snapshots: active providers, patients, referral states...) the values the
// daily snapshot task stored before that day, so each has a series. Dated metrics (per day, week
// or month of a date column) are a series already: they are recomputed from their rows.
import type { TDb } from "@/lib/db/client";
import { isoDay, periodStart } from "@/lib/metrics/compile-metric";
import { computeMetrics, type TMetricRow } from "@/lib/metrics/compute-metrics";
import { loadMetricCatalog } from "@/lib/metrics/metric-catalog";
import type { TMetricDefinition } from "@/lib/metrics/metric-definition";

/** Whether the metric's value is as of a day (no date column; a ratio: its numerator's). */
export function isSnapshotMetric(metric: TMetricDefinition, catalog: TMetricDefinition[]): boolean {
  if (metric.expression.type !== "ratio") return metric.time_column === null;
  const numerator = metric.expression.numerator;
  const part = catalog.find((candidate) => candidate.id === numerator);

  return part ? part.time_column === null : true;
}

export async function readMetricSeries(db: TDb, asOf: Date, since: Date | null): Promise<TMetricRow[]> {
  const catalog = await loadMetricCatalog(db);
  const live = await computeMetrics(db, asOf, since, catalog);
  const snapshots = catalog.filter((metric) => isSnapshotMetric(metric, catalog));
  if (!snapshots.length) return live;
  const byId = new Map(snapshots.map((metric) => [metric.id, metric]));
  const stored = await db.metricSnapshot.findMany({
    where: { metricId: { in: [...byId.keys()] }, snapshotDate: { lt: isoDay(asOf), ...(since ? { gte: isoDay(since) } : {}) } },
    orderBy: [{ snapshotDate: "asc" }],
    select: { snapshotDate: true, metricId: true, metricVersion: true, periodDate: true, organizationId: true, locationId: true, dimension: true, value: true, suppressed: true },
  });
  // One value per period: the newest snapshot in it; the as-of period is the live value.
  const history = new Map<string, TMetricRow>();
  for (const row of stored) {
    const metric = byId.get(row.metricId)!;
    if (row.periodDate === periodStart(metric.grain, asOf)) continue;
    history.set([row.metricId, row.periodDate, row.organizationId, row.locationId, row.dimension].join("|"), {
      period_date: row.periodDate,
      organization_id: row.organizationId,
      location_id: row.locationId,
      metric_id: row.metricId,
      metric_version: String(row.metricVersion),
      dimension: row.dimension,
      value: row.suppressed || row.value === null ? "" : String(row.value),
      suppressed: String(row.suppressed),
    });
  }
  const rows = [...history.values(), ...live];
  rows.sort((a, b) => a.metric_id.localeCompare(b.metric_id) || a.period_date.localeCompare(b.period_date) || a.organization_id.localeCompare(b.organization_id) || a.location_id.localeCompare(b.location_id) || a.dimension.localeCompare(b.dimension));

  return rows;
}
