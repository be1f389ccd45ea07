// The catalog an analyst sees: the datasets of the tiers they may export, with every column's
// policy and the current row count.
import { decide, type TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { DATASET_TIERS, exportableColumns, type TDatasetTier } from "@/lib/datasets/dataset-types";
import { POLICY_VERSION } from "@/lib/datasets/dataset-registry";
import { describeExpression } from "@/lib/metrics/compile-metric";
import { loadMetricCatalog } from "@/lib/metrics/metric-catalog";
import { questionnaireCoverage } from "@/lib/datasets/qr-answers-long";
import { optedOutPatientIds } from "@/lib/patients/consent";
import { datasetsOfTierWithWarehouses, isWarehouseDataset, type TWarehouseStatus } from "@/lib/warehouse/warehouse-datasets";

export async function listDatasetCatalog(actor: TActor, options: { tier?: TDatasetTier } = {}) {
  const tiers = DATASET_TIERS.filter((tier) => decide(actor, { action: "dataset.export", tier }).allowed && (!options.tier || tier === options.tier));
  const datasets = [];
  let warehouses: TWarehouseStatus[] = [];
  for (const tier of tiers) {
    const found = await datasetsOfTierWithWarehouses(tier, new Date(), { withCounts: true });
    if (tier === "anon") warehouses = found.warehouses;
    for (const dataset of found.datasets) {
      const exportable = exportableColumns(dataset);
      datasets.push({
        name: dataset.name,
        tier,
        description: dataset.description,
        source: dataset.source,
        row_count: isWarehouseDataset(dataset) ? (dataset.warehouse.rowCount ?? null) : await dataset.table.count(prisma, null),
        columns: exportable.map((column) => ({ name: column.header, policy: tier === "pii" ? "identified" : column.policy, description: column.description })),
        // Whether an export's `since` keeps only this dataset's rows dated on or after it (encounters,
        // responses, observations, metrics); tables of people and places are always exported whole.
        since_applies: !isWarehouseDataset(dataset) && (dataset.table.sql ? dataset.table.sql.sinceField !== null : true),
        // Warehouse views: the columns the guard (or an admin) kept out, and why.
        ...(isWarehouseDataset(dataset)
          ? { refused_columns: dataset.warehouse.decisions.filter((decision) => decision.status !== "exported").map((decision) => ({ name: decision.column, reason: "reason" in decision ? decision.reason : "" })) }
          : {}),
      });
    }
  }
  // A warehouse that is down: its datasets (as last seen) are listed as unavailable, not exportable.
  const unavailable = warehouses.filter((warehouse) => !warehouse.available);

  return {
    tiers,
    policy_version: POLICY_VERSION,
    datasets,
    metrics: tiers.includes("metrics") ? (await loadMetricCatalog(prisma)).map((metric) => ({ ...metric, computed_as: describeExpression(metric) })) : [],
    questionnaires: questionnaireCoverage(),
    // Patients who opted out of data sharing: how many, left out of every de-identified dataset (README, "Patient consent").
    consent: { opted_out_patients: (await optedOutPatientIds()).size },
    warehouses: warehouses.map(({ name, host, database, available, error }) => ({ name, host, database, available, error })),
    unavailable_datasets: unavailable.flatMap((warehouse) => warehouse.datasets.map((name) => ({ name, tier: "anon", warehouse: warehouse.name, reason: `warehouse "${warehouse.name}" is unavailable: ${warehouse.error}` }))),
  };
}
