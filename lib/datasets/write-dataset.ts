// Streams one dataset as CSV: batches read through the driver (lib/datasets/sql-source.ts) -> column policies -> CSV lines -> a writable,
// honouring backpressure, hashing as it goes. Never holds more than one batch of rows.
// The row -> CSV core (createCsvRowWriter: consent, policies, scrubbing, patients seen) is the one
// both paths use: writeDatasetCsv on the main thread, and the dataset.partition compute task that
// writes one key range of a table in a worker (lib/datasets/partition-writer.ts).
import { createHash } from "node:crypto";
import { once } from "node:events";
import type { Writable } from "node:stream";

import { keyedIdentityOf, type TPatientIdentitySource } from "@/lib/anonymize/patient-identity";
import { applyPolicy, toCellText, type TAnonProfile, type TPolicyContext } from "@/lib/anonymize/profiles";
import { pseudonymize, type TPseudonymKind } from "@/lib/anonymize/pseudonym";
import { redact } from "@/lib/anonymize/rules";
import { createTextScrubber, type TTextScrubber } from "@/lib/anonymize/scrub-text";
import type { TDb } from "@/lib/db/client";
import { csvLine } from "@/lib/csv/csv";
import { exportableColumns, type TDataset, type TExportableColumn, type TRow } from "@/lib/datasets/dataset-types";
import { openIdentitySource, type TIdentitySource } from "@/lib/datasets/identity-source";
import { readSqlBatches } from "@/lib/datasets/sql-source";

// Small batches keep the heap flat: a batch's rows and strings live across the awaits of the
// write, so larger batches get promoted to the old generation (measured: 2,000-row batches
// peaked at ~170 MB heap, 500-row batches at ~70 MB). Progress writes are throttled by the runner.
export const DEFAULT_BATCH_SIZE = 500;
// Rows come in date order, so patients recur at random: caching fewer identities than there are
// patients reloaded most of them from the database for every batch (measured at 20,000 patients
// with 5,000 cached: ~15% of the export's CPU). Each patient's scrubber is made with its identity
// and cached as long: a smaller scrubber cache than identity cache rebuilt a scrubber for most rows,
// and every evicted one was old-generation garbage (measured at 1M rows: the heap grew to ~200 MB
// between full collections, against ~80 MB when scrubbers live as long as their identity). An
// entry is ~1 KB (the identity packed); a scrubber compiles its matchers only when a text contains
// one of the patient's identifiers.
const IDENTITY_CACHE_SIZE = 25_000;
const PSEUDONYM_CACHE_SIZE = 100_000;

export type TWriteOptions = {
  db: TDb;
  profile: TAnonProfile;
  key: string;
  asOf: Date;
  since: Date | null;
  /** Incremental: only rows created or changed at or after this (database tables; computed datasets are whole). */
  changedSince?: Date | null;
  /** Ages in 5- or 10-year bands (birth_date_to_age); null or absent: whole years. */
  ageBandYears?: 5 | 10 | null;
  batchSize?: number;
  signal?: AbortSignal;
  /** Patients left out of this export (data-sharing opt-out): none of their rows is written. */
  excludedPatientIds?: ReadonlySet<string>;
  /** Internal ids of every patient whose rows were written (the release scan's subjects). */
  seenPatientIds: Set<string>;
  onBatch?: (rowsSoFar: number) => Promise<void> | void;
  /** Called with each written patient_anon row's cells, for the manifest's k-anonymity. */
  onRow?: (cells: Record<string, string>) => void;
};

/** What the row -> CSV core needs: the policies' inputs, consent, and where patients and quasi-identifiers go. */
export type TRowWriterOptions = Pick<TWriteOptions, "profile" | "key" | "asOf" | "ageBandYears" | "excludedPatientIds" | "seenPatientIds" | "onRow"> & {
  /** The database the identities are read from (default: DATABASE_URL). */
  url?: string;
  /** A cache shared by several writers of one export (a worker's partitions); default: the writer's own. */
  scrubbers?: ScrubberCache;
};

export type TWrittenDataset = { rows: number; sha256: string; bytes: number; columns: { name: string; policy: string }[] };

/**
 * Per-patient scrubbers, built on first use from identities loaded a batch at a time, in one bounded
 * cache. A compute worker keeps one per export job across its partitions (partition-writer.ts).
 */
export class ScrubberCache {
  // The scrubber is built with the identity and holds it packed (scrub-text.ts): the identity's
  // arrays and strings are garbage as soon as it is made, not retained for every cached patient.
  private readonly patients = new Map<string, TTextScrubber>();
  private readonly generic = createTextScrubber(null);
  private source: Promise<TIdentitySource> | null = null;
  constructor(
    private readonly key: string,
    private readonly url?: string,
  ) {}

  /** Loads the identities of the batch's patients not cached yet (null: a row of no patient). */
  async load(patientIds: (string | null)[], rowsAsPatients?: TRow[]) {
    const missing = [...new Set(patientIds)].filter((id): id is string => id !== null && !this.patients.has(id));
    if (!missing.length) return;
    const patients = rowsAsPatients ?? (await (this.source ??= openIdentitySource(this.url)).then((source) => source.byIds(missing)));
    for (const patient of patients as TPatientIdentitySource[]) {
      if (this.patients.size >= IDENTITY_CACHE_SIZE) this.patients.delete(this.patients.keys().next().value!);
      // A reloaded patient gets a scrubber of the fresh identity.
      this.patients.set(patient.id, createTextScrubber(keyedIdentityOf(patient, this.key)));
    }
  }

  has(patientId: string) {
    return this.patients.has(patientId);
  }

  get(patientId: string | null) {
    return (patientId ? this.patients.get(patientId) : undefined) ?? this.generic;
  }

  async close() {
    const source = this.source;
    this.source = null;
    if (source) await (await source).close();
  }
}

/** Memoized pseudonyms for ids that repeat across rows (patients, practitioners): one HMAC each. */
function cachedPseudonyms(key: string, kind: TPseudonymKind) {
  const cache = new Map<string, string>();
  return (id: string) => {
    let value = cache.get(id);
    if (value === undefined) {
      if (cache.size >= PSEUDONYM_CACHE_SIZE) cache.clear();
      value = pseudonymize(key, kind, id);
      cache.set(id, value);
    }
    return value;
  };
}

type TCellWriter = (row: TRow, context: TPolicyContext) => string;

/**
 * Each column's policy compiled once into a function (row -> cell text). The hot policies get
 * a direct path; every output is what applyPolicy gives for the same value and context.
 */
function compileColumns(columns: TExportableColumn[], isMasked: boolean, key: string): TCellWriter[] {
  return columns.map((column): TCellWriter => {
    const value = column.value;
    if (!isMasked) return (row) => toCellText(value(row));
    const policy = column.policy;
    if (policy === "keep") return (row) => toCellText(value(row));
    if (policy === "redact") return (row) => redact(value(row));
    if (policy === "pseudonymize:patient" || policy === "pseudonymize:practitioner") {
      const pseudonym = cachedPseudonyms(key, policy === "pseudonymize:patient" ? "patient" : "practitioner");
      return (row) => {
        const raw = value(row);
        return raw === null || raw === undefined || raw === "" ? "" : pseudonym(String(raw));
      };
    }
    return (row, context) => applyPolicy(policy, value(row), context);
  });
}

/** Each exported column as the manifest lists it. */
export function describedColumns(dataset: TDataset) {
  const isMasked = dataset.tier !== "pii";
  return exportableColumns(dataset).map((column) => ({ name: column.header, policy: isMasked ? column.policy : "identified" }));
}

export type TCsvRowWriter = {
  /** The CSV header line. */
  header: string;
  /** The batch's rows (those of excluded patients left out) as CSV lines, and how many were written. */
  write(batch: TRow[]): Promise<{ text: string; rows: number }>;
  close(): Promise<void>;
};

/**
 * The row -> CSV core: consent, column policies, the patients' scrubbers and the patients seen,
 * for any source of rows in export order. Stateful across batches (caches), so one writer per
 * dataset read (or per partition of one).
 */
export function createCsvRowWriter(dataset: TDataset, options: TRowWriterOptions): TCsvRowWriter {
  const columns = exportableColumns(dataset);
  const isMasked = dataset.tier !== "pii";
  const table = dataset.table;
  // Free text is in most rows: the batch's patients are loaded before it is written. What a patient
  // wrote into a questionnaire answer (coded_answer keeps codes, scrubs writing) is rare: those
  // patients are loaded only when a row turns out to hold some, and the row is written again (loading
  // every patient for a scored instrument cost ~7% more time and ~20 MB at 1M rows for nothing).
  const loadsEveryPatient = isMasked && columns.some((column) => column.policy === "free_text");
  const loadsWhenWritten = isMasked && !loadsEveryPatient && columns.some((column) => column.policy === "coded_answer" || column.policy === "item_answer");
  const scrubbers = options.scrubbers ?? new ScrubberCache(options.key, options.url);
  const cellWriters = compileColumns(columns, isMasked, options.key);
  // One context object, updated per row (the policies read it synchronously).
  const context: TPolicyContext = { profile: options.profile, key: options.key, asOf: options.asOf, patientId: null, scrub: scrubbers.get(null), ageBandYears: options.ageBandYears ?? null };
  const cells: string[] = new Array<string>(columns.length);

  async function write(batch: TRow[]) {
    // Every dataset's rows pass here, whatever their source: the one place consent is applied to them.
    const excluded = options.excludedPatientIds;
    const rows = excluded?.size ? batch.filter((row) => !excluded.has(table.patientIdOf(row) ?? "")) : batch;
    if (!rows.length) return { text: "", rows: 0 };
    const patientIds = rows.map((row) => table.patientIdOf(row));
    for (const id of patientIds) if (id) options.seenPatientIds.add(id);
    if (loadsEveryPatient) await scrubbers.load(patientIds, table.model === "Patient" ? rows : undefined);

    const lines: string[] = new Array<string>(rows.length);
    // Rows that asked for a scrubber of a patient not loaded yet (loadsWhenWritten only).
    const waiting: number[] = [];
    let isWaiting = false;
    const markWaiting: TTextScrubber = (text) => {
      isWaiting = true;
      return text;
    };
    const writeRow = (rowIndex: number, mayWait: boolean) => {
      const patientId = patientIds[rowIndex] ?? null;
      context.patientId = patientId;
      context.scrub = mayWait && loadsWhenWritten && patientId !== null && !scrubbers.has(patientId) ? markWaiting : scrubbers.get(patientId);
      isWaiting = false;
      for (let index = 0; index < cellWriters.length; index++) cells[index] = cellWriters[index]!(rows[rowIndex]!, context);
      if (isWaiting) return void waiting.push(rowIndex);
      if (options.onRow) options.onRow(Object.fromEntries(columns.map((column, index) => [column.header, cells[index]!])));
      lines[rowIndex] = csvLine(cells);
    };
    for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) writeRow(rowIndex, true);
    if (waiting.length) {
      await scrubbers.load(waiting.map((rowIndex) => patientIds[rowIndex] ?? null));
      // A patient deleted meanwhile gets the generic patterns (and the release scan still reads the file).
      for (const rowIndex of waiting.splice(0)) writeRow(rowIndex, false);
    }

    return { text: lines.join(""), rows: rows.length };
  }

  return { header: csvLine(columns.map((column) => column.header)), write, close: () => scrubbers.close() };
}

export async function writeDatasetCsv(dataset: TDataset, sink: Writable, options: TWriteOptions): Promise<TWrittenDataset> {
  const rowWriter = createCsvRowWriter(dataset, options);
  const hash = createHash("sha256");
  let bytes = 0;
  let rowCount = 0;

  const write = async (text: string) => {
    // Encoded once: the hash, the byte count and the sink take the same bytes.
    const data = Buffer.from(text, "utf8");
    hash.update(data);
    bytes += data.length;
    if (!sink.write(data)) await once(sink, "drain");
    // Otherwise still let the event loop turn once per batch: the archive's deflate runs on libuv's
    // threads, and its finished chunks are taken (and the next ones handed over) only when I/O
    // callbacks run. Without this they ran only while we waited for "drain", so deflating and
    // writing rows took turns instead of overlapping (1M rows: ~2 s of waiting for "drain", ~1.2 s after).
    else await new Promise((resolve) => setImmediate(resolve));
  };

  await write(rowWriter.header);
  const limit = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const table = dataset.table;
  const batches = table.sql ? readSqlBatches(table.sql, options.since, limit, options.changedSince ?? null) : table.batches({ db: options.db, limit, since: options.since });
  try {
    for await (const batch of batches) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
      const { text, rows } = await rowWriter.write(batch);
      if (!rows) continue;
      await write(text);
      rowCount += rows;
      await options.onBatch?.(rowCount);
    }
  } finally {
    await rowWriter.close();
  }

  return { rows: rowCount, sha256: hash.digest("hex"), bytes, columns: describedColumns(dataset) };
}
