// The dataset registry: every dataset of every tier, by name. The anon and pii tiers are the
// same clinical tables (masked vs not); the metrics tier is fct_metrics_long.
import type { TDataset, TDatasetColumn, TDatasetTier, TRow } from "@/lib/datasets/dataset-types";
import { clinicalTables, tableDatasets } from "@/lib/datasets/table-datasets";
import type { TMetricRow } from "@/lib/metrics/compute-metrics";
import { readMetricSeries } from "@/lib/metrics/metric-series";

/** Bumped whenever a column policy changes; recorded in every manifest. */
export const POLICY_VERSION = "2026-12-07.1";

const METRIC_COLUMNS: TDatasetColumn[] = [
  { name: "period_date", description: "First day of the period (day, ISO week from Monday, or month); snapshot metrics: the day of the snapshot, the export date for the newest.", policy: "keep", value: (row) => row.period_date },
  { name: "organization_id", description: "Organization (empty: none recorded, or the metric is not per organization).", policy: "keep", value: (row) => row.organization_id },
  { name: "location_id", description: "Location, for metrics per location; else empty.", policy: "keep", value: (row) => row.location_id },
  { name: "metric_id", description: "Metric id: the datasets catalog's `metrics` lists each with its definition.", policy: "keep", value: (row) => row.metric_id },
  { name: "metric_version", description: "Version of the metric's definition that computed the value.", policy: "keep", value: (row) => row.metric_version },
  { name: "dimension", description: "Breakdown within the metric (delivery format, severity band, referral service, state), else empty.", policy: "keep", value: (row) => row.dimension },
  { name: "value", description: "The value; empty when suppressed.", policy: "keep", value: (row) => row.value },
  { name: "suppressed", description: "true when a count of 1-10 patients was suppressed (small-cell rule).", policy: "keep", value: (row) => row.suppressed },
];

/** fct_metrics_long: computed when the export reaches it (the groups are few), then handed on in batches. */
function metricsDataset(asOf: Date): TDataset {
  return {
    name: "fct_metrics_long",
    tier: "metrics",
    description:
      "Programme metrics in long form: one row per metric, period, organization, location and dimension, as defined in the metrics catalog (admins edit it; each change is a new version). Snapshot metrics (counts as of a day) carry their daily series. Patient counts below 11 are suppressed.",
    source: "metrics catalog over Practitioner, Patient, Encounter, QuestionnaireResponse, CarePlan, Observation, Condition; daily MetricSnapshot",
    columns: METRIC_COLUMNS,
    table: {
      model: "(metrics)",
      patientIdOf: () => null,
      count: async () => null,
      async *batches({ db, limit, since }) {
        const rows: TRow[] = (await readMetricSeries(db, asOf, since)).map((row: TMetricRow, index) => ({ ...row, id: String(index).padStart(12, "0") }));
        for (let start = 0; start < rows.length; start += limit) yield rows.slice(start, start + limit);
      },
    },
  };
}

/** All datasets; `asOf` fixes "today" for the metrics. */
export function listDatasets(asOf = new Date()): TDataset[] {
  const clinical = clinicalTables();

  return [...tableDatasets("anon", clinical), ...tableDatasets("pii", clinical), metricsDataset(asOf)];
}

export function datasetsOfTier(tier: TDatasetTier, asOf = new Date()) {
  return listDatasets(asOf).filter((dataset) => dataset.tier === tier);
}

export function findDataset(tier: TDatasetTier, name: string, asOf = new Date()) {
  return datasetsOfTier(tier, asOf).find((dataset) => dataset.name === name) ?? null;
}
