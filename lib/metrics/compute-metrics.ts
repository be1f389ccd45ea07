// fct_metrics_long computed from the catalog: one row per (metric, period, organization, location,
// dimension). Each counting metric is one compiled, keyset-paged query folded into groups, so
// memory grows with the groups, not the rows; ratios are computed from their parts' raw values,
// then every cell is suppressed by its own metric's rule.
import type { TDb } from "@/lib/db/client";
import { compileMetric } from "@/lib/metrics/compile-metric";
import { loadMetricCatalog, SMALL_CELL_THRESHOLD } from "@/lib/metrics/metric-catalog";
import type { TMetricDefinition } from "@/lib/metrics/metric-definition";
import { readSource } from "@/lib/metrics/metric-sources";

export type TMetricRow = {
  period_date: string;
  organization_id: string;
  location_id: string;
  metric_id: string;
  metric_version: string;
  dimension: string;
  value: string;
  suppressed: string;
};

/** period|organization|location|dimension */
type TGroupKey = string;
const groupKey = (period: string, organization: string, location: string, dimension: string): TGroupKey => [period, organization, location, dimension].join("|");

/** True when the value is a count of 1-10 patients (zero groups are never emitted by counts). */
const isSmallCount = (metric: TMetricDefinition, value: number) => metric.suppress_small_counts && value > 0 && value < SMALL_CELL_THRESHOLD;

async function computeCounting(db: TDb, metric: TMetricDefinition, asOf: Date, since: Date | null): Promise<Map<TGroupKey, number>> {
  const compiled = compileMetric(metric, asOf, since);
  const totals = new Map<TGroupKey, number>();
  const members = new Map<TGroupKey, Set<string>>();
  for await (const rows of readSource(db, compiled.source, compiled.where, compiled.select)) {
    for (const row of rows) {
      const period = compiled.periodOf(row);
      const contribution = compiled.contribution(row);
      if (period === null || contribution === null) continue;
      const key = groupKey(period, compiled.organizationOf(row), compiled.locationOf(row), compiled.dimensionOf(row));
      if (typeof contribution === "string") {
        let set = members.get(key);
        if (!set) members.set(key, (set = new Set()));
        set.add(contribution);
      } else {
        totals.set(key, (totals.get(key) ?? 0) + contribution);
      }
    }
  }
  for (const [key, set] of members) totals.set(key, set.size);

  return totals;
}

/** Projects a numerator's key onto the keys the denominator is broken down by. */
function projectKey(key: TGroupKey, denominator: TMetricDefinition): TGroupKey {
  const [period, organization, location, dimension] = key.split("|") as [string, string, string, string];
  const has = (entity: string) => denominator.entity_keys.includes(entity as never);

  return groupKey(period, has("organization") ? organization : "", has("location") ? location : "", has("dimension") ? dimension : "");
}

type TCell = { value: number; suppressed: boolean };

function computeRatio(metric: TMetricDefinition, parts: Map<string, { metric: TMetricDefinition; values: Map<TGroupKey, number> }>): Map<TGroupKey, TCell> {
  if (metric.expression.type !== "ratio") return new Map();
  const numerator = parts.get(metric.expression.numerator);
  const denominator = parts.get(metric.expression.denominator);
  const cells = new Map<TGroupKey, TCell>();
  if (!numerator || !denominator) return cells;
  const sameKeys = denominator.metric.entity_keys.length === numerator.metric.entity_keys.length;
  // With the same keys, every denominator group has a rate (0% where the numerator has none).
  const keys = sameKeys ? new Set([...denominator.values.keys(), ...numerator.values.keys()]) : new Set(numerator.values.keys());
  for (const key of keys) {
    const above = numerator.values.get(key) ?? 0;
    const below = denominator.values.get(sameKeys ? key : projectKey(key, denominator.metric)) ?? 0;
    if (below === 0) continue;
    const ratio = metric.unit === "percent" ? Math.round((1000 * above) / below) / 10 : Math.round((100 * above) / below) / 100;
    // A rate over small counts would give the count away: suppressed when a part is a small count
    // under its own rule (or the ratio's).
    const suppressed = isSmallCount(numerator.metric, above) || isSmallCount(denominator.metric, below) || (metric.suppress_small_counts && ((above > 0 && above < SMALL_CELL_THRESHOLD) || below < SMALL_CELL_THRESHOLD));
    cells.set(key, { value: ratio, suppressed });
  }

  return cells;
}

/**
 * The catalog's active metrics as of `asOf` (dated metrics from `since`). `metrics` overrides the
 * catalog (a preview of a definition before it is saved).
 */
export async function computeMetrics(db: TDb, asOf: Date, since: Date | null, metrics?: TMetricDefinition[]): Promise<TMetricRow[]> {
  const catalog = metrics ?? (await loadMetricCatalog(db));
  const all = new Map((metrics ? [...(await loadMetricCatalog(db)), ...metrics] : catalog).map((metric) => [metric.id, metric]));
  const counted = new Map<string, { metric: TMetricDefinition; values: Map<TGroupKey, number> }>();
  const countOf = async (metric: TMetricDefinition) => {
    let found = counted.get(metric.id);
    if (!found) counted.set(metric.id, (found = { metric, values: await computeCounting(db, metric, asOf, since) }));
    return found;
  };

  const rows: TMetricRow[] = [];
  for (const metric of catalog) {
    let cells: Map<TGroupKey, TCell>;
    if (metric.expression.type === "ratio") {
      for (const part of [metric.expression.numerator, metric.expression.denominator]) {
        const partMetric = all.get(part);
        if (partMetric) await countOf(partMetric);
      }
      cells = computeRatio(metric, counted);
    } else {
      cells = new Map([...(await countOf(metric)).values].map(([key, value]) => [key, { value, suppressed: isSmallCount(metric, value) }]));
    }
    for (const [key, cell] of cells) {
      const [period_date, organization_id, location_id, dimension] = key.split("|") as [string, string, string, string];
      rows.push({ period_date, organization_id, location_id, metric_id: metric.id, metric_version: String(metric.version), dimension, value: cell.suppressed ? "" : String(cell.value), suppressed: String(cell.suppressed) });
    }
  }
  rows.sort((a, b) => a.metric_id.localeCompare(b.metric_id) || a.period_date.localeCompare(b.period_date) || a.organization_id.localeCompare(b.organization_id) || a.location_id.localeCompare(b.location_id) || a.dimension.localeCompare(b.dimension));

  return rows;
}
