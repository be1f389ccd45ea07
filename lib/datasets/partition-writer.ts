// The worker side of the partitioned dataset export (runs in a compute worker: lib/compute/tasks/
// dataset-partition.task.ts). One partition = one key range of one table dataset: its rows read
// through the driver (sql-source.ts), written by the same row -> CSV core as the main-thread path
// (write-dataset.ts: consent, policies, scrubbing), release-scanned as CSV bytes, then deflated as
// raw deflate ending in a sync flush so the main thread can concatenate the partitions into one ZIP
// entry (zip-writer.ts). The CSV bytes go back too (transferred, not copied): the main thread hashes
// the whole file in order for the manifest's sha256, then drops them.
import { performance } from "node:perf_hooks";
import { constants, crc32, deflateRawSync } from "node:zlib";

import type { TAnonProfile } from "@/lib/anonymize/profiles";
import { ReleaseScanError, releaseScannerBuilder, scannerFromTables, type TReleaseScanner, type TScannerTables } from "@/lib/anonymize/release-scan";
import { addScanSubjects } from "@/lib/datasets/identity-source";
import { kAnonymityKey } from "@/lib/datasets/k-anonymity";
import { planKeyRanges, readSqlBatches, type TPlannedRange } from "@/lib/datasets/sql-source";
import { findTableDataset } from "@/lib/datasets/table-datasets";
import { createCsvRowWriter, DEFAULT_BATCH_SIZE, ScrubberCache } from "@/lib/datasets/write-dataset";

/** What every task of one export job shares: which database, which key, whose rows are left out. */
export type TPartitionJob = {
  /** Identifies the export attempt: a worker reads the scanner's tables once per job. */
  job: string;
  url: string;
  key: string;
  excludedPatientIds: string[];
  /**
   * The job's release scanner, built once (the "dataset.scanner" task) for every worker: its
   * tables are in shared memory, so each task's copy of this refers to the same bytes. Null when
   * nothing is scanned (the identified tier).
   */
  scanner: TScannerTables | null;
};

export type TScannerBuildInput = Omit<TPartitionJob, "scanner">;
export type TScannerBuildOutput = { tables: TScannerTables; patients: number; buildMs: number };

export type TPartitionInput = TPartitionJob & {
  tier: "anon" | "pii";
  dataset: string;
  /**
   * Each column's policy as the job resolved the dataset (by column name): the worker takes its
   * columns' reading code from the registry, and their policies from the job, so both threads write
   * the same columns under the same policies.
   */
  policies: Record<string, string | null>;
  asOf: string;
  profile: TAnonProfile;
  since: string | null;
  changedSince: string | null;
  ageBandYears: 5 | 10 | null;
  batchSize?: number;
  range: TPlannedRange;
  /** The dataset's first partition starts with the CSV header. */
  header: boolean;
  /** Release-scan the CSV (de-identified tiers). */
  scan: boolean;
  /** Count patient_anon's quasi-identifier groups (k-anonymity). */
  quasi: boolean;
};

/** A release scan hit, as data (an Error loses its fields crossing from a worker). */
export type TScanRefusal = { message: string; patientId: string };

export type TPartitionOutput = {
  /** The partition's CSV bytes (the main thread hashes them in order, then drops them). */
  csv: Uint8Array;
  /** Raw deflate of `csv`, ending in a sync flush (no final block). */
  deflated: Uint8Array;
  crc32: number;
  rows: number;
  /** Distinct patients whose rows this partition holds. */
  patients: number;
  /** patient_anon: quasi-identifier group -> rows. */
  quasi: [string, number][] | null;
  refusal: TScanRefusal | null;
  /** False when the task was given no scanner (started while it was built): the main thread has it scanned before use. */
  scanned: boolean;
  /** Where the partition's time went, in ms (the benchmark reports them). */
  ms: { total: number; write: number; scan: number; deflate: number };
};

/**
 * The release scanner of the export: every patient but the excluded ones (a partition's patients
 * are not known before it is written, and rows in date order hold most patients in every
 * partition). Built once per job in one worker; the others read its tables in place.
 */
export async function buildScannerTables(input: TScannerBuildInput): Promise<TScannerBuildOutput> {
  const started = performance.now();
  const builder = releaseScannerBuilder();
  const patients = await addScanSubjects("all", input.key, builder.add, { url: input.url, excluded: new Set(input.excludedPatientIds) });

  return { tables: builder.buildTables(), patients, buildMs: performance.now() - started };
}

let scannerState: { job: string; scanner: TReleaseScanner } | null = null;

/** This worker's scanner over the job's shared tables, made on its first scanned task of the job. One job's at a time. */
function scannerFor(job: TPartitionJob): TReleaseScanner {
  if (!job.scanner) throw new Error("The release scanner's tables were not given to the compute worker.");
  if (scannerState?.job !== job.job) scannerState = { job: job.job, scanner: scannerFromTables(job.scanner) };

  return scannerState.scanner;
}

let scrubberState: { job: string; cache: ScrubberCache } | null = null;

/**
 * This worker's patient scrubbers for the job, kept across its partitions: a partition holds rows
 * of most patients (rows come in date order), and a cache per partition rebuilt every patient's
 * scrubber for each one. One job's at a time.
 */
function scrubbersFor(job: TPartitionJob) {
  if (scrubberState?.job !== job.job) scrubberState = { job: job.job, cache: new ScrubberCache(job.key, job.url) };

  return scrubberState.cache;
}

/** A view that owns its whole ArrayBuffer (Node's small Buffers share a pool slab, which must not be transferred). */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(bytes.buffer instanceof SharedArrayBuffer)) return bytes;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);

  return copy;
}

function scanBytes(scanner: TReleaseScanner, data: Uint8Array, source: string): TScanRefusal | null {
  try {
    scanner.scanBuffer(Buffer.from(data.buffer, data.byteOffset, data.byteLength), source);
    return null;
  } catch (error) {
    if (error instanceof ReleaseScanError) return { message: error.message, patientId: error.patientId };
    throw error;
  }
}

const deflatePiece = (data: Uint8Array) => ownBytes(deflateRawSync(data, { level: 6, finishFlush: constants.Z_SYNC_FLUSH }));

/** The registry's dataset with the job's column policies; fails when the two do not have the same columns. */
function datasetAsResolved(input: TPartitionInput) {
  const dataset = findTableDataset(input.tier, input.dataset);
  if (!dataset?.table.sql) throw new Error(`Dataset "${input.dataset}" is not a table the compute pool can partition.`);
  const names = dataset.columns.map((column) => column.name);
  if (names.length !== Object.keys(input.policies).length || names.some((name) => !(name in input.policies))) {
    throw new Error(`Dataset "${input.dataset}" has other columns in the compute worker than in the job.`);
  }

  return { ...dataset, columns: dataset.columns.map((column) => ({ ...column, policy: input.policies[column.name] ?? undefined })) };
}

export async function writePartition(input: TPartitionInput): Promise<TPartitionOutput> {
  const started = performance.now();
  const dataset = datasetAsResolved(input);
  const scanner = input.scan && input.scanner ? scannerFor(input) : null;
  const afterScanner = performance.now();

  const seen = new Set<string>();
  const quasi = input.quasi ? new Map<string, number>() : null;
  const writer = createCsvRowWriter(dataset, {
    url: input.url,
    scrubbers: scrubbersFor(input),
    profile: input.profile,
    key: input.key,
    asOf: new Date(input.asOf),
    ageBandYears: input.ageBandYears,
    excludedPatientIds: new Set(input.excludedPatientIds),
    seenPatientIds: seen,
    onRow: quasi ? (cells) => quasi.set(kAnonymityKey(cells), (quasi.get(kAnonymityKey(cells)) ?? 0) + 1) : undefined,
  });
  const chunks: Buffer[] = [];
  let bytes = 0;
  let rows = 0;
  const add = (text: string) => {
    if (!text) return;
    const chunk = Buffer.from(text, "utf8");
    chunks.push(chunk);
    bytes += chunk.length;
  };
  try {
    if (input.header) add(writer.header);
    const batches = readSqlBatches(dataset.table.sql!, input.since ? new Date(input.since) : null, input.batchSize ?? DEFAULT_BATCH_SIZE, input.changedSince ? new Date(input.changedSince) : null, { url: input.url, range: input.range, ordinalStarts: input.range.ordinalStarts });
    for await (const batch of batches) {
      const written = await writer.write(batch);
      add(written.text);
      rows += written.rows;
    }
  } finally {
    await writer.close();
  }
  // One buffer of its own (transferable), the chunks garbage from here.
  const csv = new Uint8Array(bytes);
  let position = 0;
  for (const chunk of chunks.splice(0)) {
    csv.set(chunk, position);
    position += chunk.length;
  }
  const afterWrite = performance.now();

  // Scanned before compression: the bytes as they will be offered, never inflated again.
  const refusal = scanner ? scanBytes(scanner, csv, `${dataset.name}.csv`) : null;
  const afterScan = performance.now();
  const deflated = refusal ? new Uint8Array(0) : deflatePiece(csv);
  const finished = performance.now();

  return {
    csv,
    deflated,
    crc32: crc32(csv),
    rows,
    patients: seen.size,
    quasi: quasi ? [...quasi.entries()] : null,
    refusal,
    scanned: !input.scan || scanner !== null,
    ms: { total: finished - started, write: afterWrite - afterScanner, scan: afterScan - afterWrite, deflate: finished - afterScan },
  };
}

export type TScanPieceInput = TPartitionJob & {
  /** Release-scan these texts, each named by its source (entry names, the archive's name). */
  texts: { text: string; source: string }[];
  /** Bytes to scan and deflate as a piece of a ZIP entry (a main-thread dataset's CSV, the manifest). */
  data: Uint8Array | null;
  /** What `data` is, in a refusal ("manifest.json", "qr_answers_long.csv"). */
  source: string;
  scan: boolean;
  /** Deflate `data` too (default); false for bytes already deflated, only to be scanned. */
  deflate?: boolean;
};

export type TScanPieceOutput = { deflated: Uint8Array; crc32: number; refusal: TScanRefusal | null };

/** Scans (with the job's scanner) and deflates bytes written on the main thread. */
export async function scanAndDeflatePiece(input: TScanPieceInput): Promise<TScanPieceOutput> {
  const scanner = input.scan ? scannerFor(input) : null;
  let refusal: TScanRefusal | null = null;
  if (scanner) {
    for (const { text, source } of input.texts) {
      refusal ??= scanBytes(scanner, Buffer.from(text, "utf8"), source);
    }
    if (input.data) refusal ??= scanBytes(scanner, input.data, input.source);
  }
  const data = input.data ?? new Uint8Array(0);

  return { deflated: refusal || !input.data || input.deflate === false ? new Uint8Array(0) : deflatePiece(data), crc32: crc32(data), refusal };
}

export type TPlanInput = { url: string; tier: "anon" | "pii"; dataset: string; since: string | null; changedSince: string | null; rowsPerPartition: number };

/** The dataset's key ranges (in a worker: the database's count and numbering would hold the main thread on SQLite). */
export async function planPartitions(input: TPlanInput) {
  const dataset = findTableDataset(input.tier, input.dataset);
  if (!dataset?.table.sql) throw new Error(`Dataset "${input.dataset}" is not a table the compute pool can partition.`);

  return planKeyRanges(dataset.table.sql, input.since ? new Date(input.since) : null, input.changedSince ? new Date(input.changedSince) : null, input.rowsPerPartition, { url: input.url });
}
