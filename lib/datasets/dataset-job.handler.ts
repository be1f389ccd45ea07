// The `dataset` job: every requested dataset streamed as CSV into one ZIP with a manifest, and
// for de-identified tiers a release scan of the stored file before it is offered.
import { PassThrough } from "node:stream";

import * as archiverModule from "archiver";
import type { Archiver } from "archiver";

import type { TPatientIdentitySource } from "@/lib/anonymize/patient-identity";
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { ReleaseScanError, releaseScannerBuilder, type TScanSubject } from "@/lib/anonymize/release-scan";
import { excludesOptedOutPatients } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { datasetArchiveName, type TDatasetJobParameters } from "@/lib/datasets/dataset-export-parameters";
import { POLICY_VERSION } from "@/lib/datasets/dataset-registry";
import type { TDataset } from "@/lib/datasets/dataset-types";
import { openIdentitySource } from "@/lib/datasets/identity-source";
import { kAnonymityKey, kAnonymityReport, type TKAnonymityReport } from "@/lib/datasets/k-anonymity";
import { writeDatasetCsv, type TWrittenDataset } from "@/lib/datasets/write-dataset";
import { scanZip, ZipScanError } from "@/lib/datasets/zip-scan";
import { env } from "@/lib/env";
import { PermanentJobError, type TJobHandler, type TJobProgress } from "@/lib/jobs/job-types";
import { optedOutPatientIds } from "@/lib/patients/consent";
import { getSettings } from "@/lib/settings/settings";
import { WarehouseUnavailableError } from "@/lib/warehouse/warehouse-client";
import { findDatasetWithWarehouses, isWarehouseDataset } from "@/lib/warehouse/warehouse-datasets";

// archiver 8 exports ZipArchive; the installed @types/archiver (7) does not declare it yet.
const { ZipArchive } = archiverModule as unknown as { ZipArchive: new (options?: { zlib?: { level?: number } }) => Archiver };

// Small pages: a page of rows (each with its stored resource) and the terms derived from it die young
// instead of being promoted while the scanner is built (1,000 a page: heap peak ~108 MB at 20,000 patients; 200: ~93).
const IDENTITY_BATCH = 250;

/**
 * The release scan's subjects, loaded a batch at a time into the scanner (tens of thousands of
 * patients: only the scanner's lookup maps stay in memory). Returns how many were added.
 */
async function addIdentities(patientIds: Set<string> | "all", key: string, add: (subject: TScanSubject) => void): Promise<number> {
  const source = await openIdentitySource();
  let count = 0;
  const addRows = (rows: TPatientIdentitySource[]) => {
    // The scan derives its own terms from the stored row and resource (release-scan/scan-terms.ts).
    for (const row of rows) add({ row, pseudonym: pseudonymize(key, "patient", row.id) });
    count += rows.length;
  };
  try {
    if (patientIds === "all") {
      for (let afterId = ""; ; ) {
        const rows = await source.page(afterId, IDENTITY_BATCH);
        addRows(rows);
        if (rows.length < IDENTITY_BATCH) break;
        afterId = rows[rows.length - 1]!.id;
      }
      return count;
    }
    const ids = [...patientIds];
    for (let index = 0; index < ids.length; index += IDENTITY_BATCH) addRows(await source.byIds(ids.slice(index, index + IDENTITY_BATCH)));

    return count;
  } finally {
    await source.close();
  }
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
      written[dataset.name] = await writeDatasetCsv(dataset, entry, {
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
        onBatch: async (rows) => {
          const state = progress.datasets[dataset.name]!;
          state.rows = rows;
          state.total = Math.max(state.total, rows);
          progress.rows = rowsBefore + rows;
          progress.percent = progress.totalRows ? Math.min(95, (95 * progress.rows) / progress.totalRows) : 50;
          await ctx.reportProgress(structuredClone(progress));
        },
      });
      if (quasi) kAnonymity = kAnonymityReport(quasi, { ageBandYears, requiredK });
      entry.end();
      const state = progress.datasets[dataset.name]!;
      state.rows = written[dataset.name]!.rows;
      state.total = written[dataset.name]!.rows;
      state.done = true;
      progress.rows = rowsBefore + state.rows;
      await ctx.reportProgress(structuredClone(progress));
    }
    const manifest = {
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
    };
    zip.append(`${JSON.stringify(manifest, null, 2)}\n`, { name: "manifest.json" });
    auditDetails.consentExcludedPatients = excludedPatientIds.size;
    if (parameters.incremental) auditDetails.changedSince = parameters.incremental.changedSince;
    auditDetails.rows = Object.fromEntries(Object.entries(written).map(([name, result]) => [name, result.rows]));
    if (kAnonymity) auditDetails.kAnonymity = { k: kAnonymity.k, groupsBelowThreshold: kAnonymity.groups_below_threshold, requiredK: kAnonymity.required_k, outcome: kAnonymity.outcome };
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
          // The practice's k-anonymity minimum: a release below it is refused before it is offered.
          const report = kAnonymity as TKAnonymityReport | null;
          if (report?.outcome === "refused") {
            const columns = report.quasi_identifiers.map((identifier) => identifier.column).join(", ");
            throw new PermanentJobError(
              `Refused: k-anonymity of patient_anon is ${report.k}, below the required ${report.required_k} (setting k_anonymity_min_k) over ${columns}; ${report.patients_in_small_groups} patient(s) are in groups under ${report.threshold}. Try 10-year age bands (age_band_years), or leave out patient_anon.`,
            );
          }
          // Warehouse rows name no internal patient: scan for every patient's identifiers.
          const builder = releaseScannerBuilder();
          const patients = await addIdentities(parameters.tier === "metrics" || datasets.some(isWarehouseDataset) ? "all" : seenPatientIds, key, builder.add);
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
