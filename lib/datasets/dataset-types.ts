// The shape of a dataset definition. Every column names its policy; the exporter projects
// rows through `exportableColumns`, so a column that lacks a valid policy is never read or
// written, in any tier (fail closed).
import { isColumnPolicy, type TColumnPolicy } from "@/lib/anonymize/profiles";
import type { TDatasetTier } from "@/lib/auth/policy";
import type { TDb } from "@/lib/db/client";

export type { TDatasetTier };
export const DATASET_TIERS: readonly TDatasetTier[] = ["anon", "pii", "metrics"];

export type TRow = Record<string, unknown> & { id: string };

export type TDatasetColumn = {
  /** Column name in the anon/metrics tier. */
  name: string;
  /** Column name in the identified tier, where the raw value means something else (birth_date vs age). */
  piiName?: string;
  description: string;
  /** How the value is masked in the anon tier. Missing or unknown: the column is not exported. */
  policy?: TColumnPolicy | string;
  value: (row: TRow) => unknown;
};

export type TFieldKind = "text" | "number" | "bool" | "date" | "json";

/** A database table read for export by lib/datasets/sql-source.ts. */
export type TSqlSource = {
  /** Table name as Prisma created it (the model name). */
  table: string;
  /** The fields the columns read (never `raw`); `id` is always read. */
  fields: Record<string, TFieldKind>;
  /** Keyset order: this indexed date column then id (null: id alone). */
  orderByDate: string | null;
  /** The column `since` filters on (null: `since` does not apply). */
  sinceField: string | null;
  /** Fixed equality filters, e.g. { questionnaire: "phq-9" }. */
  equals?: Record<string, string>;
  /**
   * A 1-based ordinal read as the field `as`: the row's place among the rows sharing `partitionBy`,
   * in keyset order, counted over the whole table (rows before `since` count, though not exported).
   */
  ordinal?: { as: string; partitionBy: string[] };
};

/**
 * Where a dataset's rows come from, one batch at a time and in a stable order: database tables
 * declare their `sql` (read by lib/datasets/sql-source.ts: one statement or server-side cursor
 * per table); computed datasets (metrics) and warehouse views yield their own `batches`.
 */
export type TTableSource = {
  /** The Prisma model (for the catalog). */
  model: string;
  /** Rows the export will hold (null: not known before computing, e.g. metrics). */
  count(db: TDb, since: Date | null): Promise<number | null>;
  /** The internal patient id a row belongs to (for date shifting, scrubbing and the scan). */
  patientIdOf(row: TRow): string | null;
} & (
  | { sql: TSqlSource; batches?: never }
  | {
      sql?: never;
      /** Batches of at most `limit` rows; a source holding a connection closes it when the generator returns. */
      batches(options: { db: TDb; limit: number; since: Date | null }): AsyncGenerator<TRow[]>;
    }
);

export type TDataset = {
  name: string;
  tier: TDatasetTier;
  description: string;
  /** Where the rows come from, in words (catalog) */
  source: string;
  columns: TDatasetColumn[];
  table: TTableSource;
};

export type TExportableColumn = TDatasetColumn & { policy: TColumnPolicy; header: string };

/** The columns that may leave the system: only those with a known policy. */
export function exportableColumns(dataset: Pick<TDataset, "columns" | "tier">): TExportableColumn[] {
  return dataset.columns
    .filter((column): column is TDatasetColumn & { policy: TColumnPolicy } => isColumnPolicy(column.policy))
    .map((column) => ({ ...column, header: dataset.tier === "pii" ? (column.piiName ?? column.name) : column.name }));
}
