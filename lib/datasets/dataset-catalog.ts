// The catalog an analyst sees: the datasets of the tiers they may export, with every column's
// policy and the current row count.
import { decide, type TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { DATASET_TIERS, exportableColumns, type TDatasetTier } from "@/lib/datasets/dataset-types";
import { datasetsOfTier, POLICY_VERSION } from "@/lib/datasets/dataset-registry";
import { METRICS_CATALOG } from "@/lib/datasets/metrics";

export async function listDatasetCatalog(actor: TActor, options: { tier?: TDatasetTier } = {}) {
  const tiers = DATASET_TIERS.filter((tier) => decide(actor, { action: "dataset.export", tier }).allowed && (!options.tier || tier === options.tier));
  const datasets = [];
  for (const tier of tiers) {
    for (const dataset of datasetsOfTier(tier)) {
      datasets.push({
        name: dataset.name,
        tier,
        description: dataset.description,
        source: dataset.source,
        row_count: await dataset.table.count(prisma, null),
        columns: exportableColumns(dataset).map((column) => ({ name: column.header, policy: tier === "pii" ? "identified" : column.policy, description: column.description })),
      });
    }
  }

  return { tiers, policy_version: POLICY_VERSION, datasets, metrics: tiers.includes("metrics") ? METRICS_CATALOG.metrics : [] };
}
