// The `dataset` job: every requested dataset streamed as CSV into one ZIP with a manifest, and
// for de-identified tiers a release scan before it is offered. Two paths (DATASET_EXPORT_PARTITIONS):
// - off: every dataset written on this thread into archiver's ZIP; the stored file is inflated and
//   scanned after it is written (zip-scan.ts);
// - on: table datasets in key-range partitions in the compute pool (partition-writer.ts: read,
//   de-identified, CSV, scanned before compression, deflated), assembled here in order from the
//   deflated pieces (zip-writer.ts); computed datasets are still written here, their CSV scanned and
//   deflated in the pool. The same CSV bytes and manifest either way.
import { createHash, randomUUID } from "node:crypto";
import { PassThrough, Writable } from "node:stream";

import * as archiverModule from "archiver";
import type { Archiver } from "archiver";

import { patternCountOf, ReleaseScanError, releaseScannerBuilder } from "@/lib/anonymize/release-scan";
import { excludesOptedOutPatients } from "@/lib/auth/policy";
import { computePool, runComputeTask } from "@/lib/compute/run-compute-task";
import type { TComputeTaskName, TTaskInput, TTaskOutput } from "@/lib/compute/task-catalog";
import { prisma } from "@/lib/db/client";
import { datasetArchiveName, type TDatasetJobParameters } from "@/lib/datasets/dataset-export-parameters";
import { POLICY_VERSION } from "@/lib/datasets/dataset-registry";
import type { TDataset } from "@/lib/datasets/dataset-types";
import { addScanSubjects } from "@/lib/datasets/identity-source";
import { kAnonymityKey, kAnonymityReport, type TKAnonymityReport } from "@/lib/datasets/k-anonymity";
import type { TPartitionJob, TPartitionOutput, TScanRefusal } from "@/lib/datasets/partition-writer";
import { describedColumns, writeDatasetCsv, type TWriteOptions, type TWrittenDataset } from "@/lib/datasets/write-dataset";
import { createZipWriter } from "@/lib/datasets/zip-writer";
import { scanZip, ZipScanError } from "@/lib/datasets/zip-scan";
import { env } from "@/lib/env";
import { PermanentJobError, type TJobHandler, type TJobProgress } from "@/lib/jobs/job-types";
import { optedOutPatientIds } from "@/lib/patients/consent";
import { getSettings } from "@/lib/settings/settings";
import { WarehouseUnavailableError } from "@/lib/warehouse/warehouse-client";
import { findDatasetWithWarehouses, isWarehouseDataset } from "@/lib/warehouse/warehouse-datasets";

// archiver 8 exports ZipArchive; the installed @types/archiver (7) does not declare it yet.
const { ZipArchive } = archiverModule as unknown as { ZipArchive: new (options?: { zlib?: { level?: number } }) => Archiver };

/** Main-thread datasets' CSV goes to the pool to be scanned and deflated in pieces of about this size. */
const MAIN_THREAD_PIECE_BYTES = 1 << 20;

/** Figures of the last partitioned export in this process (the benchmark prints them): the scanner's one build, then each partition. */
export const lastPartitionedExport: { scannerBuildMs: number; partitions: { dataset: string; index: number; rows: number; bytes: number; ms: TPartitionOutput["ms"] }[] } = { scannerBuildMs: 0, partitions: [] };

/** Resolves on "drain"; rejects when the stream closes first (storage gave up reading it). */
function drained(stream: PassThrough) {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      stream.off("drain", onDrain);
      stream.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error("The export's storage stream closed early."));
    stream.on("drain", onDrain);
    stream.on("close", onClose);
  });
}

/** A release scan hit found in a worker, as the job's permanent failure (no value, the patient for the audit only). */
function refused(refusal: TScanRefusal): never {
  throw new PermanentJobError(refusal.message, { patientId: refusal.patientId });
}

export const handleDatasetJob: TJobHandler<TDatasetJobParameters> = async (ctx) => {
  const parameters = ctx.payload;
  const generatedAt = new Date();
  const datasets: TDataset[] = [];
  for (const name of parameters.datasets) {
    // Warehouse views are discovered afresh: the column guard and policies in force now apply.
    // A warehouse that is down fails this attempt (the job system retries).
    const dataset = await findDatasetWithWarehouses(parameters.tier, name, generatedAt).catch((error) => {
      throw error instanceof WarehouseUnavailableError ? new Error(`Dataset "${name}": ${error.message}`) : error;
    });
    if (!dataset) throw new PermanentJobError(`Unknown dataset "${name}" in the ${parameters.tier} tier.`);
    datasets.push(dataset);
  }
  const isMasked = parameters.tier !== "pii";
  const profile = parameters.profile ?? "safe-harbor";
  const key = env().ANON_KEY;
  const since = parameters.since ? new Date(parameters.since) : null;
  const changedSince = parameters.incremental?.changedSince ? new Date(parameters.incremental.changedSince) : null;
  const fileName = datasetArchiveName(parameters.tier, generatedAt);
  const ageBandYears = isMasked ? parameters.ageBandYears : null;
  const requiredK = isMasked ? (await getSettings()).k_anonymity_min_k : 0;
  // Decided when the job runs, so an opt-out recorded after the request is honoured.
  const excludesOptedOut = excludesOptedOutPatients(isMasked ? { view: "deidentified" } : { view: "identified", purpose: parameters.purpose });
  const excludedPatientIds = excludesOptedOut ? await optedOutPatientIds() : new Set<string>();

  const progress: Required<Pick<TJobProgress, "datasets">> & TJobProgress = { percent: 0, stage: "counting rows", rows: 0, totalRows: 0, datasets: {} };
  for (const dataset of datasets) {
    const total = (await dataset.table.count(prisma, since)) ?? 0;
    progress.datasets[dataset.name] = { rows: 0, total };
    progress.totalRows! += total;
  }
  await ctx.reportProgress({ ...progress });

  const seenPatientIds = new Set<string>();
  const written: Record<string, TWrittenDataset> = {};
  const auditDetails: Record<string, unknown> = { tier: parameters.tier, profile: isMasked ? profile : null, datasets: parameters.datasets, policyVersion: POLICY_VERSION, ...(ageBandYears ? { ageBandYears } : {}) };
  let kAnonymity: TKAnonymityReport | null = null;
  const partitioned = env().DATASET_EXPORT_PARTITIONS === "on";
  /** The release scan done in the workers (partitioned path): what the audit records. */
  let workerScan = { patients: 0, patterns: 0 };

  const manifestOf = () => ({
    generated_at: generatedAt.toISOString(),
    tier: parameters.tier,
    profile: isMasked ? profile : null,
    policy_version: POLICY_VERSION,
    since: parameters.since,
    // Which rows this file holds: all of them, or (an incremental schedule's run) those created or
    // changed in [changed_since, until). Computed datasets (metrics, warehouse views) are always whole.
    window: parameters.incremental
      ? { mode: parameters.incremental.changedSince ? "incremental" : "full (first run)", changed_since: parameters.incremental.changedSince, until: generatedAt.toISOString() }
      : { mode: "full", changed_since: null, until: generatedAt.toISOString() },
    age_band_years: ageBandYears,
    // Patients left out for consent (a data-sharing opt-out): how many, never who.
    consent: { excludes_opted_out: excludesOptedOut, excluded_patients: excludedPatientIds.size, ...(isMasked ? {} : { purpose: parameters.purpose }) },
    datasets: datasets.map((dataset) => ({
      dataset: dataset.name,
      file: `${dataset.name}.csv`,
      rows: written[dataset.name]!.rows,
      bytes: written[dataset.name]!.bytes,
      sha256: written[dataset.name]!.sha256,
      columns: written[dataset.name]!.columns,
    })),
    ...(kAnonymity ? { k_anonymity: kAnonymity } : {}),
  });
  const recordAuditDetails = () => {
    auditDetails.consentExcludedPatients = excludedPatientIds.size;
    if (parameters.incremental) auditDetails.changedSince = parameters.incremental.changedSince;
    auditDetails.rows = Object.fromEntries(Object.entries(written).map(([name, result]) => [name, result.rows]));
    if (kAnonymity) auditDetails.kAnonymity = { k: kAnonymity.k, groupsBelowThreshold: kAnonymity.groups_below_threshold, requiredK: kAnonymity.required_k, outcome: kAnonymity.outcome };
  };
  const finishDatasetProgress = async (dataset: TDataset, rowsBefore: number) => {
    const state = progress.datasets[dataset.name]!;
    state.rows = written[dataset.name]!.rows;
    state.total = written[dataset.name]!.rows;
    state.done = true;
    progress.rows = rowsBefore + state.rows;
    await ctx.reportProgress(structuredClone(progress));
  };
  const reportRows = async (dataset: TDataset, rowsBefore: number, rows: number) => {
    const state = progress.datasets[dataset.name]!;
    state.rows = rows;
    state.total = Math.max(state.total, rows);
    progress.rows = rowsBefore + rows;
    progress.percent = progress.totalRows ? Math.min(95, (95 * progress.rows) / progress.totalRows) : 50;
    await ctx.reportProgress(structuredClone(progress));
  };

  /** What both paths hand writeDatasetCsv for a dataset written on this thread (the partitioned path's other datasets, or all). */
  const writeOptions = (quasi: Map<string, number> | null, onBatch: (rows: number) => Promise<void>): TWriteOptions => ({
    db: prisma,
    profile,
    key,
    asOf: generatedAt,
    since,
    changedSince,
    ageBandYears,
    batchSize: parameters.batchSize,
    signal: ctx.signal,
    seenPatientIds,
    excludedPatientIds,
    onRow: quasi ? (cells) => quasi.set(kAnonymityKey(cells), (quasi.get(kAnonymityKey(cells)) ?? 0) + 1) : undefined,
    onBatch,
  });

  /** The de-identified tiers' k-anonymity gate, before anything is offered. */
  const checkKAnonymity = () => {
    // The practice's k-anonymity minimum: a release below it is refused before it is offered.
    const report = kAnonymity as TKAnonymityReport | null;
    if (report?.outcome === "refused") {
      const columns = report.quasi_identifiers.map((identifier) => identifier.column).join(", ");
      throw new PermanentJobError(
        `Refused: k-anonymity of patient_anon is ${report.k}, below the required ${report.required_k} (setting k_anonymity_min_k) over ${columns}; ${report.patients_in_small_groups} patient(s) are in groups under ${report.threshold}. Try 10-year age bands (age_band_years), or leave out patient_anon.`,
      );
    }
  };

  if (partitioned) {
    const body = new PassThrough();
    // A failure can come (a scan refusal in the first partition) before storage has piped the body:
    // the error stays on the stream (storage's pipeline rejects with it), not an uncaught "error" event.
    body.on("error", () => undefined);
    const produce = async () => {
      // Every worker task of this attempt: one abort ends the running ones (cancellation, or a failed partition).
      const stop = new AbortController();
      const onCancel = () => stop.abort(ctx.signal.reason);
      if (ctx.signal.aborted) onCancel();
      ctx.signal.addEventListener("abort", onCancel, { once: true });
      const run = <N extends TComputeTaskName>(name: N, input: TTaskInput<N>): Promise<TTaskOutput<N>> => {
        const task = runComputeTask(name, input, { signal: stop.signal });
        // Handled here too: a task waiting behind another that failed must not be an unhandled rejection.
        task.catch(() => stop.abort());
        return task;
      };
      try {
        await producePartitioned(run);
      } finally {
        ctx.signal.removeEventListener("abort", onCancel);
        stop.abort();
      }
    };

    const producePartitioned = async (run: <N extends TComputeTaskName>(name: N, input: TTaskInput<N>) => Promise<TTaskOutput<N>>) => {
      const push = async (chunk: Buffer) => {
        if (!body.write(chunk)) await drained(body);
      };
      const zip = createZipWriter(push, { modified: generatedAt });
      const jobBase = { job: randomUUID(), url: env().DATABASE_URL, key, excludedPatientIds: [...excludedPatientIds] };
      const partitionable = (dataset: TDataset) => Boolean(dataset.table.sql) && !isWarehouseDataset(dataset) && (dataset.tier === "anon" || dataset.tier === "pii");
      const rowsPerPartition = env().DATASET_PARTITION_ROWS;
      // A few partitions' bytes in flight: one per worker and one waiting to be written here.
      const inFlight = computePool().workers + 1;
      lastPartitionedExport.scannerBuildMs = 0;
      lastPartitionedExport.partitions.length = 0;
      // The release scanner is built once, in a worker, while the ranges are planned and the first
      // partitions are written; the tasks started after it scan with its tables (shared memory: one
      // copy for all the workers), those started before are scanned once it is ready (below).
      let job: TPartitionJob = { ...jobBase, scanner: null };
      const scannerReady: Promise<TPartitionJob> = isMasked
        ? run("dataset.scanner", jobBase).then((built) => {
            workerScan = { patients: built.patients, patterns: patternCountOf(built.tables) };
            lastPartitionedExport.scannerBuildMs = built.buildMs;
            job = { ...jobBase, scanner: built.tables };
            return job;
          })
        : Promise.resolve(job);
      // Awaited below; a failed build has already stopped every task (run()).
      scannerReady.catch(() => undefined);

      // The ranges of every table dataset, planned up front in the pool (a walk along each one's date index).
      const plans = datasets.filter(partitionable).map(async (dataset) => {
        const plan = await run("dataset.plan", { url: jobBase.url, tier: dataset.tier as "anon" | "pii", dataset: dataset.name, since: since?.toISOString() ?? null, changedSince: changedSince?.toISOString() ?? null, rowsPerPartition });
        return { dataset, ranges: plan.ranges };
      });
      // The archive's and entries' names are scanned as today (zip-scan.ts scanned them in the stored file), before the manifest is written.
      const names = [{ text: fileName, source: "the archive's file name" }, ...[...datasets.map((dataset) => `${dataset.name}.csv`), "manifest.json"].map((name) => ({ text: name, source: `the entry name "${name.replace(/[^\w.-]/g, "_").slice(0, 80)}"` }))];
      const namesScan = isMasked ? scannerReady.then((ready) => run("dataset.scan-piece", { ...ready, texts: names, data: null, source: "", scan: true })) : null;
      namesScan?.catch(() => undefined);

      // Every table dataset's partitions in the archive's order, started a few ahead of the one
      // being written (one per worker and one more) across datasets: a worker done with a dataset's
      // last partition starts on the next dataset's first rather than waiting for the others.
      const planned = await Promise.all(plans);
      const slots = planned.flatMap(({ dataset, ranges }) => ranges.map((range, index) => ({ dataset, range, index })));
      const started: Promise<TPartitionOutput>[] = [];
      let nextSlot = 0;
      const startAhead = () => {
        while (nextSlot < slots.length && started.length < inFlight) {
          const { dataset, range, index } = slots[nextSlot++]!;
          started.push(
            run("dataset.partition", {
              ...job,
              tier: dataset.tier as "anon" | "pii",
              dataset: dataset.name,
              policies: Object.fromEntries(dataset.columns.map((column) => [column.name, column.policy ?? null])),
              asOf: generatedAt.toISOString(),
              profile,
              since: since?.toISOString() ?? null,
              changedSince: changedSince?.toISOString() ?? null,
              ageBandYears,
              batchSize: parameters.batchSize,
              range,
              header: index === 0,
              scan: isMasked,
              quasi: dataset.name === "patient_anon",
            }),
          );
        }
      };

      for (const dataset of datasets) {
        progress.stage = `writing ${dataset.name}`;
        // Said at once: a partition's rows are reported only when it is back (a failure names this stage).
        await ctx.reportProgress(structuredClone(progress));
        const rowsBefore = progress.rows!;
        const quasi = dataset.name === "patient_anon" ? new Map<string, number>() : null;
        await zip.startEntry(`${dataset.name}.csv`);
        const partitions = planned.find((plan) => plan.dataset === dataset)?.ranges.length;
        if (partitions !== undefined) {
          const hash = createHash("sha256");
          let bytes = 0;
          let rows = 0;
          // In order: partition i is written when it is back, whatever finished before it.
          for (let index = 0; index < partitions; index++) {
            startAhead();
            const part = await started.shift()!;
            startAhead();
            if (part.refusal) refused(part.refusal);
            if (isMasked && !part.scanned) {
              // Written while the scanner was being built: scanned now, the same bytes, before anything is offered.
              const late = await run("dataset.scan-piece", { ...(await scannerReady), texts: [], data: part.csv, source: `${dataset.name}.csv`, scan: true, deflate: false });
              if (late.refusal) refused(late.refusal);
            }
            hash.update(part.csv);
            bytes += part.csv.byteLength;
            rows += part.rows;
            if (quasi) for (const [group, count] of part.quasi ?? []) quasi.set(group, (quasi.get(group) ?? 0) + count);
            await zip.writePiece(part.deflated, part.crc32, part.csv.byteLength);
            lastPartitionedExport.partitions.push({ dataset: dataset.name, index, rows: part.rows, bytes: part.csv.byteLength, ms: part.ms });
            await reportRows(dataset, rowsBefore, rows);
          }
          written[dataset.name] = { rows, sha256: hash.digest("hex"), bytes, columns: describedColumns(dataset) };
        } else {
          // Computed datasets (metrics, warehouse views, qr_answers_long) are written here as before;
          // their CSV goes to the pool a piece at a time to be scanned and deflated, in order.
          let buffered: Buffer[] = [];
          let size = 0;
          // A refusal or failure of a piece is kept here and ends the write at its next batch: the
          // sink itself never errors (writeDatasetCsv waiting on "drain" of a destroyed stream would wait for ever).
          let failure: unknown = null;
          const flush = async () => {
            const data = Buffer.concat(buffered);
            buffered = [];
            size = 0;
            const piece = await run("dataset.scan-piece", { ...(await scannerReady), texts: [], data, source: `${dataset.name}.csv`, scan: isMasked });
            if (piece.refusal) refused(piece.refusal);
            await zip.writePiece(piece.deflated, piece.crc32, data.length);
          };
          const flushInto = (callback: () => void) => {
            if (failure) return callback();
            flush().then(callback, (error: unknown) => {
              failure ??= error;
              callback();
            });
          };
          const sink = new Writable({
            write(chunk: Buffer, _encoding, callback) {
              buffered.push(chunk);
              size += chunk.length;
              if (size < MAIN_THREAD_PIECE_BYTES) return callback();
              flushInto(() => callback());
            },
            final(callback) {
              if (!size) return callback();
              flushInto(() => callback());
            },
          });
          written[dataset.name] = await writeDatasetCsv(
            dataset,
            sink,
            writeOptions(quasi, async (rows) => {
              if (failure) throw failure;
              await reportRows(dataset, rowsBefore, rows);
            }),
          );
          await new Promise<void>((resolve) => sink.end(() => resolve()));
          if (failure) throw failure;
        }
        await zip.endEntry();
        if (quasi) kAnonymity = kAnonymityReport(quasi, { ageBandYears, requiredK });
        await finishDatasetProgress(dataset, rowsBefore);
      }

      progress.stage = isMasked ? "release scan" : "finishing";
      progress.percent = 96;
      await ctx.reportProgress(structuredClone(progress));
      const manifest = Buffer.from(`${JSON.stringify(manifestOf(), null, 2)}\n`, "utf8");
      const namesScanned = await namesScan;
      if (namesScanned?.refusal) refused(namesScanned.refusal);
      const scanned = await run("dataset.scan-piece", { ...(await scannerReady), texts: [], data: manifest, source: "manifest.json", scan: isMasked });
      if (scanned.refusal) refused(scanned.refusal);
      await zip.startEntry("manifest.json");
      await zip.writePiece(scanned.deflated, scanned.crc32, manifest.length);
      await zip.endEntry();
      await zip.finish();
      recordAuditDetails();
      body.end();
    };
    produce().catch((error) => body.destroy(error instanceof Error ? error : new Error(String(error))));

    return {
      body,
      fileName,
      mimeType: "application/zip",
      auditDetails,
      verify: isMasked
        ? async () => {
            checkKAnonymity();
            // The CSVs, entry names and manifest were scanned in the workers before compression:
            // nothing in the stored file is left unscanned, so it is not inflated again.
            auditDetails.releaseScan = { patients: workerScan.patients, patterns: workerScan.patterns, outcome: "clean", scannedIn: "compute workers, before compression" };
          }
        : undefined,
    };
  }

  const zip = new ZipArchive({ zlib: { level: 6 } });

  // The producer runs while storage consumes the archive; a failure destroys the stream, so
  // the storage write rejects and the job fails (or retries) with nothing stored.
  const produce = async () => {
    for (const dataset of datasets) {
      const entry = new PassThrough();
      zip.append(entry, { name: `${dataset.name}.csv` });
      const quasi = dataset.name === "patient_anon" ? new Map<string, number>() : null;
      progress.stage = `writing ${dataset.name}`;
      const rowsBefore = progress.rows!;
      written[dataset.name] = await writeDatasetCsv(dataset, entry, writeOptions(quasi, (rows) => reportRows(dataset, rowsBefore, rows)));
      if (quasi) kAnonymity = kAnonymityReport(quasi, { ageBandYears, requiredK });
      entry.end();
      await finishDatasetProgress(dataset, rowsBefore);
    }
    zip.append(`${JSON.stringify(manifestOf(), null, 2)}\n`, { name: "manifest.json" });
    recordAuditDetails();
    progress.stage = isMasked ? "release scan" : "finishing";
    progress.percent = 96;
    await ctx.reportProgress(structuredClone(progress));
    await zip.finalize();
  };
  produce().catch((error) => zip.destroy(error instanceof Error ? error : new Error(String(error))));

  return {
    body: zip,
    fileName,
    mimeType: "application/zip",
    auditDetails,
    verify: isMasked
      ? async (open) => {
          checkKAnonymity();
          // Warehouse rows name no internal patient: scan for every patient's identifiers.
          const builder = releaseScannerBuilder();
          const patients = await addScanSubjects(parameters.tier === "metrics" || datasets.some(isWarehouseDataset) ? "all" : seenPatientIds, key, builder.add);
          const scanner = builder.build();
          // A scan of millions of rows takes seconds: the page hears how far it is (in steps of 5%),
          // and a cancelled job stops scanning.
          let reported = -1;
          const onProgress = async (fraction: number) => {
            if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("aborted");
            const step = Math.min(100, Math.floor(fraction * 20) * 5);
            if (step === reported) return;
            reported = step;
            await ctx.reportProgress({ ...structuredClone(progress), stage: `release scan: ${step}% of the file`, percent: 96 + (3 * step) / 100 });
          };
          try {
            await scanZip(open, scanner, fileName, onProgress);
          } catch (error) {
            if (error instanceof ReleaseScanError) throw new PermanentJobError(error.message, { patientId: error.patientId });
            if (error instanceof ZipScanError) throw new PermanentJobError(error.message);
            throw error;
          }
          auditDetails.releaseScan = { patients, patterns: scanner.patternCount, outcome: "clean" };
        }
      : undefined,
  };
};
