// Streams one dataset as CSV: keyset batches -> column policies -> CSV lines -> a writable,
// honouring backpressure, hashing as it goes. Never holds more than one batch of rows.
import { createHash } from "node:crypto";
import { once } from "node:events";
import type { Writable } from "node:stream";

import { identityOf, PATIENT_IDENTITY_SELECT, type TPatientIdentity } from "@/lib/anonymize/patient-identity";
import { applyPolicy, toCellText, type TAnonProfile, type TPolicyContext } from "@/lib/anonymize/profiles";
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { createTextScrubber, type TTextScrubber } from "@/lib/anonymize/scrub-text";
import type { TDb } from "@/lib/db/client";
import { csvLine } from "@/lib/datasets/csv";
import { exportableColumns, type TDataset, type TRow } from "@/lib/datasets/dataset-types";

export const DEFAULT_BATCH_SIZE = 1_000;
const SCRUBBER_CACHE_SIZE = 5_000;

export type TWriteOptions = {
  db: TDb;
  profile: TAnonProfile;
  key: string;
  asOf: Date;
  since: Date | null;
  batchSize?: number;
  signal?: AbortSignal;
  /** Internal ids of every patient whose rows were written (the release scan's subjects). */
  seenPatientIds: Set<string>;
  onBatch?: (rowsSoFar: number) => Promise<void> | void;
  /** Called with each written patient_anon row's cells, for the manifest's k-anonymity. */
  onRow?: (cells: Record<string, string>) => void;
};

export type TWrittenDataset = { rows: number; sha256: string; bytes: number; columns: { name: string; policy: string }[] };

/** Per-patient scrubbers, loaded a batch at a time and kept in a bounded cache. */
class ScrubberCache {
  private readonly cache = new Map<string, TTextScrubber>();
  private readonly generic = createTextScrubber(null);
  constructor(private readonly db: TDb, private readonly key: string) {}

  async load(patientIds: string[], rowsAsPatients?: TRow[]) {
    const missing = [...new Set(patientIds)].filter((id) => !this.cache.has(id));
    if (!missing.length) return;
    const patients = rowsAsPatients ?? (await this.db.patient.findMany({ where: { id: { in: missing } }, select: PATIENT_IDENTITY_SELECT }));
    for (const patient of patients as Parameters<typeof identityOf>[0][]) {
      if (this.cache.size >= SCRUBBER_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(patient.id, createTextScrubber(this.identity(patient)));
    }
  }

  identity(patient: Parameters<typeof identityOf>[0]): TPatientIdentity {
    return identityOf(patient, pseudonymize(this.key, "patient", patient.id));
  }

  get(patientId: string | null) {
    return (patientId && this.cache.get(patientId)) || this.generic;
  }
}

export async function writeDatasetCsv(dataset: TDataset, sink: Writable, options: TWriteOptions): Promise<TWrittenDataset> {
  const columns = exportableColumns(dataset);
  const isMasked = dataset.tier !== "pii";
  const needsScrubber = isMasked && columns.some((column) => column.policy === "free_text");
  const scrubbers = new ScrubberCache(options.db, options.key);
  const hash = createHash("sha256");
  let bytes = 0;
  let rowCount = 0;

  const write = async (text: string) => {
    hash.update(text);
    bytes += Buffer.byteLength(text);
    if (!sink.write(text)) await once(sink, "drain");
  };

  await write(csvLine(columns.map((column) => column.header)));
  let after: TRow | null = null;
  const limit = options.batchSize ?? DEFAULT_BATCH_SIZE;
  for (;;) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
    const rows: TRow[] = await dataset.table.fetchBatch({ db: options.db, after, limit, since: options.since });
    if (!rows.length) break;
    const patientIds = rows.map((row) => dataset.table.patientIdOf(row)).filter((id): id is string => Boolean(id));
    for (const id of patientIds) options.seenPatientIds.add(id);
    if (needsScrubber) await scrubbers.load(patientIds, dataset.table.model === "Patient" ? rows : undefined);

    let text = "";
    for (const row of rows) {
      const patientId = dataset.table.patientIdOf(row);
      const context: TPolicyContext = { profile: options.profile, key: options.key, asOf: options.asOf, patientId, scrub: scrubbers.get(patientId) };
      const cells = columns.map((column) => (isMasked ? applyPolicy(column.policy, column.value(row), context) : toCellText(column.value(row))));
      if (options.onRow) options.onRow(Object.fromEntries(columns.map((column, index) => [column.header, cells[index]!])));
      text += csvLine(cells);
    }
    await write(text);
    rowCount += rows.length;
    after = rows[rows.length - 1]!;
    await options.onBatch?.(rowCount);
    if (rows.length < limit) break;
  }

  return { rows: rowCount, sha256: hash.digest("hex"), bytes, columns: columns.map((column) => ({ name: column.header, policy: isMasked ? column.policy : "identified" })) };
}
