// The partitioned dataset export (DATASET_EXPORT_PARTITIONS=on: key-range partitions written,
// release-scanned and deflated in the compute pool, the ZIP assembled from the deflated pieces)
// against the single-thread path (off), on the same data: byte-identical CSVs and the same manifest,
// with partitions forced small (several per dataset), ties of the ORDER BY date split across
// partitions, the session ordinal (counts before a partition), a `since` window and an opted-out
// patient. The ZIP is checked with unzip -t and by inflating every entry against its CRC-32; a
// planted identifier is refused in the first partition (scanned once the shared scanner is built)
// and in a later one (scanned in the worker).
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32, inflateRawSync } from "node:zlib";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { closeComputePool } from "@/lib/compute/run-compute-task";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { handleDatasetJob, lastPartitionedExport } from "@/lib/datasets/dataset-job.handler";
import { buildScannerTables, planPartitions, scanAndDeflatePiece, writePartition } from "@/lib/datasets/partition-writer";
import { findTableDataset } from "@/lib/datasets/table-datasets";
import type { TDatasetJobParameters } from "@/lib/datasets/dataset-export-parameters";
import { env, resetEnvCache } from "@/lib/env";
import type { TJobContext } from "@/lib/jobs/job-types";
import { drainJobs } from "@/lib/jobs/runner";

import { createUser } from "../setup/fixtures";
import { createClinicalPatient, createOrganization, jobFile, type TClinicalPatient } from "./dataset-helpers";

const DATASETS = ["patient_anon", "encounters", "qr_phq9_anon", "conditions", "qr_answers_long"];
/** Rows per partition in the "on" runs: every table dataset here is split into 3 or more. */
const PARTITION_ROWS = 3;

const patients: TClinicalPatient[] = [];
let optedOut: TClinicalPatient;

function setPartitions(mode: "on" | "off", workers?: number) {
  process.env.DATASET_EXPORT_PARTITIONS = mode;
  process.env.DATASET_PARTITION_ROWS = String(PARTITION_ROWS);
  if (workers) process.env.COMPUTE_WORKERS = String(workers);
  else delete process.env.COMPUTE_WORKERS;
  resetEnvCache();
}

beforeAll(async () => {
  const organization = await createOrganization();
  const practitioner = await prisma.practitioner.create({ data: { fhirId: `prac-${randomBytes(3).toString("hex")}`, givenName: "Dana", familyName: "Whitfield", organizationId: organization.id, raw: {} } });
  const names = [
    ["Ottoline", "Brackenridge"],
    ["Percival", "Zeffirelli"],
    ["Gwendolyn", "Ashcombe-Tate"],
    ["Leopold", "Vantongeren"],
    ["Marisol", "Quintanilla"],
    ["Thaddeus", "Okonkwo-Reyes"],
    ["Beatrix", "Lindqvist"],
  ] as const;
  for (const [givenName, familyName] of names) patients.push(await createClinicalPatient({ organizationId: organization.id, practitionerId: practitioner.id, givenName, familyName }));
  optedOut = patients[3]!;
  await prisma.patient.update({ where: { id: optedOut.id }, data: { dataSharingOptOut: true } });
  // More sessions per patient: encounters on shared dates (ties of the ORDER BY date, split by id
  // across partitions) and PHQ-9 responses before and after the `since` below (the ordinal counts them all).
  for (const [index, patient] of patients.entries()) {
    for (let session = 0; session < 4; session++) {
      const at = new Date(Date.UTC(2026, 6 + session, 1 + (index % 2), 15));
      await prisma.encounter.create({ data: { fhirId: `enc-${patient.id}-${session}`, patientId: patient.id, organizationId: organization.id, status: "finished", deliveryFormat: session % 2 ? "telehealth" : "in-person", cptCode: "90834", startAt: at, endAt: new Date(at.getTime() + 45 * 60_000), reasonText: "follow-up session", raw: {} } });
      await prisma.questionnaireResponse.create({
        data: { fhirId: `qr-${patient.id}-${session}`, patientId: patient.id, questionnaire: "phq-9", status: "completed", authoredAt: at, totalScore: 5 + session, severity: "mild", items: [{ linkId: "phq9-1", answer: [{ valueInteger: session % 4 }] }], raw: {} },
      });
    }
  }
});

afterAll(async () => {
  delete process.env.DATASET_EXPORT_PARTITIONS;
  delete process.env.DATASET_PARTITION_ROWS;
  resetEnvCache();
  await closeComputePool();
});

/** Every entry of the ZIP as bytes (unzip -p), after `unzip -t` tested the archive (CRCs included). */
function readZip(zip: Buffer) {
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-partitions-"));
  try {
    const file = path.join(dir, "export.zip");
    writeFileSync(file, zip);
    const tested = execFileSync("unzip", ["-t", file], { encoding: "utf8" });
    expect(tested).toContain("No errors detected");
    const names = execFileSync("unzip", ["-Z1", file], { encoding: "utf8" }).split("\n").filter(Boolean);

    return new Map(names.map((name) => [name, execFileSync("unzip", ["-p", file, name], { maxBuffer: 64 * 1024 * 1024 })]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The central directory read by hand: each entry inflated with zlib and checked against its CRC-32 and size. */
function checkEntriesWithZlib(zip: Buffer) {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let cursor = zip.readUInt32LE(end + 16);
  const checked: string[] = [];
  for (let entry = 0; entry < count; entry++) {
    expect(zip.readUInt32LE(cursor)).toBe(0x02014b50);
    const crc = zip.readUInt32LE(cursor + 16);
    const compressed = zip.readUInt32LE(cursor + 20);
    const size = zip.readUInt32LE(cursor + 24);
    const nameLength = zip.readUInt16LE(cursor + 28);
    const offset = zip.readUInt32LE(cursor + 42);
    const name = zip.subarray(cursor + 46, cursor + 46 + nameLength).toString("utf8");
    const dataStart = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const data = inflateRawSync(zip.subarray(dataStart, dataStart + compressed));
    expect(data.length, name).toBe(size);
    expect(crc32(data), name).toBe(crc);
    checked.push(name);
    cursor += 46 + nameLength + zip.readUInt16LE(cursor + 30) + zip.readUInt16LE(cursor + 32);
  }

  return checked;
}

async function exportWith(mode: "on" | "off", input: { since?: string }) {
  setPartitions(mode);
  const { actor } = await createUser({ role: "ANALYST" });
  const started = await createDatasetExport(actor, { tier: "anon", datasets: DATASETS, ...input }, { skipRateLimit: true });
  await drainJobs();
  const { job, zip } = await jobFile(started.job_id);
  expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
  const partitions = mode === "on" ? [...lastPartitionedExport.partitions] : [];

  const completed = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "export_completed", exportJobId: job.id } });
  const releaseScan = (completed.metadata as { releaseScan?: { patients: number; patterns: number; scannedIn?: string } }).releaseScan;

  return { zip, entries: readZip(zip), partitions, releaseScan };
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("partitioned dataset export", () => {
  for (const input of [{}, { since: "2026-08-01" }]) {
    it(`writes the same CSV bytes and manifest as the single-thread path${input.since ? ", with a since window" : ""}`, { timeout: 120_000 }, async () => {
      const single = await exportWith("off", input);
      const parts = await exportWith("on", input);

      // Several partitions per table dataset (qr_answers_long is computed: written on the main thread).
      for (const dataset of ["patient_anon", "encounters", "qr_phq9_anon", "conditions"]) {
        expect(parts.partitions.filter((partition) => partition.dataset === dataset).length, dataset).toBeGreaterThanOrEqual(3);
      }
      expect([...parts.entries.keys()].sort()).toEqual([...single.entries.keys()].sort());
      const manifest = JSON.parse(parts.entries.get("manifest.json")!.toString("utf8"));
      const singleManifest = JSON.parse(single.entries.get("manifest.json")!.toString("utf8"));
      for (const dataset of DATASETS) {
        const ours = parts.entries.get(`${dataset}.csv`)!;
        const theirs = single.entries.get(`${dataset}.csv`)!;
        expect(sha256(ours), dataset).toBe(sha256(theirs));
        expect(ours.equals(theirs), dataset).toBe(true);
        // The manifest's sha256 is the whole file's, computed in order from the partitions.
        expect(manifest.datasets.find((entry: { dataset: string }) => entry.dataset === dataset).sha256).toBe(sha256(ours));
      }
      // The same manifest but for the time it was made.
      const timeless = (value: Record<string, unknown>) => ({ ...value, generated_at: null, window: { ...(value.window as object), until: null } });
      expect(timeless(manifest)).toEqual(timeless(singleManifest));
      expect(manifest.consent.excluded_patients).toBeGreaterThanOrEqual(1);
      // One scanner, built once for every worker, over every patient but the opted-out ones.
      expect(parts.releaseScan).toMatchObject({ patients: patients.length - 1, outcome: "clean", scannedIn: "compute workers, before compression" });
      expect(parts.releaseScan!.patterns).toBeGreaterThan(patients.length);

      // What the rows hold: the opted-out patient is in no file, the ordinal counts every response of the patient.
      const hidden = pseudonymize(env().ANON_KEY, "patient", optedOut.id);
      for (const dataset of DATASETS) expect(parts.entries.get(`${dataset}.csv`)!.toString("utf8"), dataset).not.toContain(hidden);
      const phq9 = parts.entries.get("qr_phq9_anon.csv")!.toString("utf8").trim().split("\r\n");
      const ordinalColumn = phq9[0]!.split(",").indexOf("session_ordinal");
      const ordinals = phq9.slice(1).map((line) => Number(line.split(",")[ordinalColumn]));
      // 5 responses per patient (1 from the fixture + 4); `since` leaves out the early ones but not their count.
      expect(Math.max(...ordinals)).toBe(5);
      if (input.since) expect(Math.min(...ordinals)).toBeGreaterThan(1);
      else expect(Math.min(...ordinals)).toBe(1);

      // The assembled ZIP: every entry inflates to its recorded size and CRC-32.
      expect(checkEntriesWithZlib(parts.zip).sort()).toEqual([...parts.entries.keys()].sort());
    });
  }

  // Where the planted row is: the first condition in key order is in a partition started while the
  // scanner was still being built (with two workers, planning and the build run side by side), so
  // the main thread has it scanned when it is back; the last is in a later partition, scanned in
  // the worker with the shared tables.
  for (const [where, idPrefix] of [["the first", "0000"], ["a later", "zzzz"]] as const) {
    it(`refuses a planted identifier in ${where} partition, before compression, with two workers`, { timeout: 120_000 }, async () => {
      const patient = patients[1]!;
      const planted = await prisma.condition.create({ data: { id: `${idPrefix}-planted-${randomBytes(3).toString("hex")}`, fhirId: `cond-planted-${randomBytes(3).toString("hex")}`, patientId: patient.id, icd10Code: "Z00", display: `note about ${patient.familyName}`, raw: {} } });
      try {
        setPartitions("on", 2);
        await closeComputePool();
        const { actor } = await createUser({ role: "ANALYST" });
        const started = await createDatasetExport(actor, { tier: "anon", datasets: ["conditions"] }, { skipRateLimit: true });
        await drainJobs();
        const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
        expect(job.status).toBe("FAILED");
        expect(job.fileKey).toBeNull();
        expect(job.errorMessage).toContain(`conditions.csv contains a name of patient ${pseudonymize(env().ANON_KEY, "patient", patient.id)}`);
        expect(job.errorMessage).not.toContain(patient.familyName);
        expect(job.errorMessage).not.toContain(patient.id);
        // Refused while the partitions were written (the stored file's scan would say "release scan: N% of the file").
        expect((job.progress as { stage?: string } | null)?.stage).toBe("writing conditions");
        const failure = await prisma.exportAuditLog.findMany({ where: { action: "export_failed", exportJobId: job.id } });
        expect(failure.map((record) => record.patientId)).toEqual([patient.id]);
      } finally {
        await prisma.condition.delete({ where: { id: planted.id } });
        setPartitions("on");
        await closeComputePool();
      }
    });
  }

  it("leaves a partition started before the scanner was built unscanned and says so; its bytes are refused when scanned", { timeout: 120_000 }, async () => {
    const patient = patients[2]!;
    const planted = await prisma.condition.create({ data: { id: `0000-planted-${randomBytes(3).toString("hex")}`, fhirId: `cond-planted-${randomBytes(3).toString("hex")}`, patientId: patient.id, icd10Code: "Z00", display: `note about ${patient.familyName}`, raw: {} } });
    try {
      const job = { job: randomBytes(8).toString("hex"), url: env().DATABASE_URL, key: env().ANON_KEY, excludedPatientIds: [optedOut.id] };
      const { ranges } = await planPartitions({ url: job.url, tier: "anon", dataset: "conditions", since: null, changedSince: null, rowsPerPartition: PARTITION_ROWS });
      const dataset = findTableDataset("anon", "conditions")!;
      const input = {
        ...job,
        tier: "anon" as const,
        dataset: "conditions",
        policies: Object.fromEntries(dataset.columns.map((column) => [column.name, column.policy ?? null])),
        asOf: new Date().toISOString(),
        profile: "safe-harbor" as const,
        since: null,
        changedSince: null,
        ageBandYears: null,
        range: ranges[0]!,
        header: true,
        scan: true,
        quasi: false,
      };
      const unscanned = await writePartition({ ...input, scanner: null });
      expect(unscanned).toMatchObject({ scanned: false, refusal: null });
      expect(Buffer.from(unscanned.csv).toString("utf8")).toContain("note about");

      const { tables } = await buildScannerTables(job);
      const late = await scanAndDeflatePiece({ ...job, scanner: tables, texts: [], data: unscanned.csv, source: "conditions.csv", scan: true, deflate: false });
      expect(late.refusal?.patientId).toBe(patient.id);
      expect(late.deflated.byteLength).toBe(0);
      // With the tables given, the worker scans it itself.
      const scanned = await writePartition({ ...input, job: randomBytes(8).toString("hex"), scanner: tables });
      expect(scanned.scanned).toBe(true);
      expect(scanned.refusal?.patientId).toBe(patient.id);
    } finally {
      await prisma.condition.delete({ where: { id: planted.id } });
    }
  });

  it("stops at cancellation: the running and queued partitions end, the body fails, nothing more is written", { timeout: 120_000 }, async () => {
    setPartitions("on");
    const rows = await prisma.encounter.count();
    const planned = Math.ceil(rows / PARTITION_ROWS);
    expect(planned).toBeGreaterThanOrEqual(8);
    const controller = new AbortController();
    const cancellation = new Error("cancelled by the test");
    const payload: TDatasetJobParameters = { tier: "anon", datasets: ["encounters"], profile: "safe-harbor", since: null, ageBandYears: null, purpose: null, incremental: null };
    // The job runner aborts ctx.signal when the job is cancelled (its lease is gone): here, once the first partition is in.
    const ctx = {
      payload,
      signal: controller.signal,
      reportProgress: async (progress: { datasets?: Record<string, { rows: number }> }) => {
        if ((progress.datasets?.encounters?.rows ?? 0) > 0) controller.abort(cancellation);
      },
    } as unknown as TJobContext<TDatasetJobParameters>;
    const output = await handleDatasetJob(ctx);
    const failure = await (async () => {
      for await (const chunk of output.body as AsyncIterable<Buffer>) void chunk;
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    // At most the partitions in flight when it was cancelled were written, not the rest.
    const written = lastPartitionedExport.partitions.filter((partition) => partition.dataset === "encounters").length;
    expect(written).toBeGreaterThanOrEqual(1);
    expect(written).toBeLessThan(planned);
  });
});
