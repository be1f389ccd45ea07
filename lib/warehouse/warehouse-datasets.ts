// Warehouse views as anon-tier datasets. Each registered connection is asked, when needed,
// which `*_anon` views it has; each becomes `wh_<connection>_<view>` (`wh_<connection>_<schema>_<view>`
// outside the public schema), with the column guard's decision per column. A connection that
// is down contributes no datasets and is reported as unavailable, never an error of the catalog.
import type { WarehouseConnection } from "@/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { datasetsOfTier } from "@/lib/datasets/dataset-registry";
import type { TDataset, TDatasetColumn, TDatasetTier, TRow } from "@/lib/datasets/dataset-types";
import { decideColumn, type TColumnDecision, type TWarehouseColumnPolicies } from "@/lib/warehouse/column-guard";
import { countViewRows, discoverAnonViews, readViewBatches, withWarehouseSession, WarehouseUnavailableError, type TWarehouseView } from "@/lib/warehouse/warehouse-client";
import { decryptWarehouseUrl, describeStoredWarehouseUrl, describeWarehouseUrl } from "@/lib/warehouse/warehouse-secret";

export const WAREHOUSE_DATASET_PREFIX = "wh_";

export type TWarehouseDataset = TDataset & {
  warehouse: { connection: string; schema: string; view: string; decisions: TColumnDecision[]; rowCount?: number | null };
};

export type TWarehouseStatus = { id: string; name: string; host: string; database: string; available: boolean; error: string | null; datasets: string[] };

const slug = (value: string) => value.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");

export function warehouseDatasetName(connection: string, schema: string, view: string) {
  return `${WAREHOUSE_DATASET_PREFIX}${connection}_${schema === "public" ? "" : `${slug(schema)}_`}${slug(view)}`;
}

export function isWarehouseDataset(dataset: TDataset): dataset is TWarehouseDataset {
  return "warehouse" in dataset;
}

function policiesOf(connection: Pick<WarehouseConnection, "columnPolicies">): TWarehouseColumnPolicies {
  const value = connection.columnPolicies;
  return value && typeof value === "object" && !Array.isArray(value) ? (value as TWarehouseColumnPolicies) : {};
}

function datasetOf(connection: Pick<WarehouseConnection, "name" | "encryptedUrl" | "columnPolicies">, view: TWarehouseView, rowCount?: number | null): TWarehouseDataset {
  const viewPolicies = policiesOf(connection)[`${view.schema}.${view.view}`] ?? {};
  const decisions = view.columns.map((column) => decideColumn(column.name, viewPolicies[column.name]));
  // Refused and excluded columns stay in the list without a policy, so exportableColumns drops
  // them (fail closed) and the catalog can say why; only exported ones get a value reader.
  const exported = decisions.filter((decision) => decision.status === "exported").map((decision) => decision.column);
  const columns: TDatasetColumn[] = decisions.map((decision) => {
    if (decision.status !== "exported") return { name: decision.column, description: decision.reason, value: () => undefined };
    const index = exported.indexOf(decision.column);
    const type = view.columns.find((column) => column.name === decision.column)?.type ?? "";
    return {
      name: decision.column,
      description: `${type}; ${decision.source === "admin" ? "policy set by an administrator" : "not identifying by name: kept as is"}`,
      policy: decision.policy,
      value: (row: TRow) => (row.values as unknown[])[index],
    };
  });
  const { host, database } = describeWarehouseUrl(decryptWarehouseUrl(connection.encryptedUrl));

  return {
    name: warehouseDatasetName(connection.name, view.schema, view.view),
    tier: "anon",
    description: `Warehouse view ${view.schema}.${view.view} (connection "${connection.name}").`,
    source: `warehouse ${connection.name} (${host}/${database}): ${view.schema}.${view.view}`,
    columns,
    warehouse: { connection: connection.name, schema: view.schema, view: view.view, decisions, rowCount },
    table: {
      model: "(warehouse)",
      // Warehouse rows are tied to no internal patient id; the job scans the file for every patient instead.
      patientIdOf: () => null,
      // `since` does not apply: a view has no known date column; it is always exported whole.
      count: async () => withWarehouseSession(decryptWarehouseUrl(connection.encryptedUrl), (client) => countViewRows(client, view.schema, view.view)),
      async *batches({ limit }) {
        let rowNumber = 0;
        for await (const rows of readViewBatches(decryptWarehouseUrl(connection.encryptedUrl), view.schema, view.view, exported, limit)) {
          yield rows.map((values) => ({ id: String(++rowNumber), values }));
        }
      },
    },
  };
}

/** Discovers one connection's datasets (throws WarehouseUnavailableError when it is down). */
export async function connectionDatasets(connection: WarehouseConnection, options: { withCounts?: boolean } = {}): Promise<TWarehouseDataset[]> {
  return withWarehouseSession(decryptWarehouseUrl(connection.encryptedUrl), async (client) => {
    const views = await discoverAnonViews(client);
    const datasets: TWarehouseDataset[] = [];
    for (const view of views) datasets.push(datasetOf(connection, view, options.withCounts ? await countViewRows(client, view.schema, view.view) : undefined));
    return datasets;
  });
}

// The last datasets seen per connection, so a connection that goes down can still list its
// datasets as unavailable (until the process restarts).
const lastSeen = new Map<string, string[]>();

/** Every registered connection's datasets, and each connection's state. */
export async function listWarehouseDatasets(options: { withCounts?: boolean } = {}): Promise<{ datasets: TWarehouseDataset[]; warehouses: TWarehouseStatus[] }> {
  const connections = await prisma.warehouseConnection.findMany({ orderBy: { name: "asc" } });
  const datasets: TWarehouseDataset[] = [];
  const warehouses: TWarehouseStatus[] = [];
  for (const connection of connections) {
    // A URL that no longer decrypts (key rotated) makes this warehouse unavailable, not the catalog fail.
    const { host, database } = describeStoredWarehouseUrl(connection.encryptedUrl);
    try {
      const found = await connectionDatasets(connection, options);
      datasets.push(...found);
      lastSeen.set(connection.id, found.map((dataset) => dataset.name));
      warehouses.push({ id: connection.id, name: connection.name, host, database, available: true, error: null, datasets: found.map((dataset) => dataset.name) });
    } catch (error) {
      const reason = error instanceof WarehouseUnavailableError ? error.message : "the warehouse could not be read";
      warehouses.push({ id: connection.id, name: connection.name, host, database, available: false, error: reason, datasets: lastSeen.get(connection.id) ?? [] });
    }
  }

  return { datasets, warehouses };
}

/** The tier's built-in datasets, plus (anon tier) the reachable warehouse views. */
export async function datasetsOfTierWithWarehouses(tier: TDatasetTier, asOf = new Date(), options: { withCounts?: boolean } = {}): Promise<{ datasets: TDataset[]; warehouses: TWarehouseStatus[] }> {
  const builtIn = datasetsOfTier(tier, asOf);
  if (tier !== "anon") return { datasets: builtIn, warehouses: [] };
  const { datasets, warehouses } = await listWarehouseDatasets(options);

  return { datasets: [...builtIn, ...datasets.filter((dataset) => !builtIn.some((known) => known.name === dataset.name))], warehouses };
}

/** A dataset by name, warehouse views included (only asks the warehouses for `wh_` names). */
export async function findDatasetWithWarehouses(tier: TDatasetTier, name: string, asOf = new Date()): Promise<TDataset | null> {
  const builtIn = datasetsOfTier(tier, asOf).find((dataset) => dataset.name === name);
  if (builtIn || tier !== "anon" || !name.startsWith(WAREHOUSE_DATASET_PREFIX)) return builtIn ?? null;
  const { datasets, warehouses } = await listWarehouseDatasets();
  const found = datasets.find((dataset) => dataset.name === name);
  if (found) return found;
  const down = warehouses.find((warehouse) => !warehouse.available && name.startsWith(`${WAREHOUSE_DATASET_PREFIX}${warehouse.name}_`));
  if (down) throw new WarehouseUnavailableError(`warehouse "${down.name}" is unavailable: ${down.error}`);

  return null;
}
