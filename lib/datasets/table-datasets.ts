// The datasets read from database tables (clinical and questionnaire tables, in the anon and pii
// tiers), apart from the registry's computed ones: the compute workers look their dataset up here,
// without loading the metrics code (and its Prisma client) that the registry brings.
import { CLINICAL_TABLES, type TClinicalTable } from "@/lib/datasets/clinical-tables";
import type { TDataset } from "@/lib/datasets/dataset-types";
import { QR_ANSWERS_LONG_TABLE } from "@/lib/datasets/qr-answers-long";
import { QUESTIONNAIRE_TABLES } from "@/lib/datasets/questionnaire-tables";

export const tableDatasets = (tier: "anon" | "pii", tables: TClinicalTable[]): TDataset[] =>
  tables.map((table) => ({
    name: tier === "anon" ? table.anonName : table.piiName,
    tier,
    description: table.description,
    source: table.table.model,
    columns: table.columns,
    table: table.table,
  }));

export const clinicalTables = (): TClinicalTable[] => [...CLINICAL_TABLES, ...QUESTIONNAIRE_TABLES, QR_ANSWERS_LONG_TABLE];

/** A table dataset of the anon or pii tier by name, or null. */
export function findTableDataset(tier: "anon" | "pii", name: string): TDataset | null {
  return tableDatasets(tier, clinicalTables()).find((dataset) => dataset.name === name) ?? null;
}
