import { PassThrough } from "node:stream";

import { beforeAll, describe, expect, it } from "vitest";

import { GET as catalogRoute } from "@/app/api/v1/datasets/route";
import { GET as exportStatusRoute } from "@/app/api/v1/datasets/exports/[id]/route";
import { GET as downloadRoute } from "@/app/api/v1/datasets/exports/[id]/download/route";
import { GET as exportEventsRoute } from "@/app/api/v1/datasets/exports/[id]/events/route";
import { GET as listExportsRoute, POST as startExportRoute } from "@/app/api/v1/datasets/exports/route";
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { findDataset } from "@/lib/datasets/dataset-registry";
import type { TDataset } from "@/lib/datasets/dataset-types";
import { writeDatasetCsv } from "@/lib/datasets/write-dataset";
import { env } from "@/lib/env";
import { drainJobs } from "@/lib/jobs/runner";
import { updateSettings } from "@/lib/settings/settings";
import { storage } from "@/lib/storage";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { createClinicalPatient, createOrganization, jobFile, parseCsv, type TClinicalPatient, unzipEntries } from "./dataset-helpers";

let patients: TClinicalPatient[] = [];
let organizationId = "";

beforeAll(async () => {
  const organization = await createOrganization();
  organizationId = organization.id;
  const practitioner = await prisma.practitioner.create({ data: { fhirId: "prac-1", givenName: "Dana", familyName: "Whitfield", phone: "773-555-0100", organizationId, raw: {} } });
  patients = [
    await createClinicalPatient({ organizationId, practitionerId: practitioner.id, givenName: "Ottoline", familyName: "Brackenridge" }),
    await createClinicalPatient({ organizationId, practitionerId: practitioner.id, givenName: "Percival", familyName: "Zeffirelli", birthDate: "1931-05-06", postalCode: "05901" }),
    await createClinicalPatient({ organizationId, practitionerId: practitioner.id, givenName: "Gwendolyn", familyName: "Ashcombe-Tate" }),
  ];
});

/** Every identifying value of a fixture patient, as an analyst might search the files for it. */
function identifiersOf(patient: TClinicalPatient) {
  const digits = (value: string | null) => (value ?? "").replace(/\D/g, "");
  return [patient.id, patient.fhirId, patient.mrn!, patient.ssn!, digits(patient.ssn), patient.medicaidId!, patient.givenName, patient.familyName, patient.email!, patient.addressLine!, patient.birthDate!, patient.phone!, digits(patient.phone)];
}

async function exportAndRead(actorPromise: ReturnType<typeof createUser>, input: Parameters<typeof createDatasetExport>[1]) {
  const { actor } = await actorPromise;
  const started = await createDatasetExport(actor, input);
  await drainJobs();
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
  expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
  const { zip } = await jobFile(job.id);

  return { job, entries: unzipEntries(zip) };
}

describe("anon dataset export", () => {
  it("completes with every anon dataset, no patient identifier anywhere, and a truthful manifest", async () => {
    const { job, entries } = await exportAndRead(createUser({ role: "ANALYST" }), { tier: "anon" });
    expect(job.fileName).toMatch(/^careexport_anon_\d{8}_\d{6}\.zip$/);
    const manifest = JSON.parse(entries.get("manifest.json")!);
    expect(manifest.profile).toBe("safe-harbor");
    const names = manifest.datasets.map((dataset: { dataset: string }) => dataset.dataset);
    expect(names).toEqual(expect.arrayContaining(["patient_anon", "encounters", "practitioners", "organizations", "locations", "care_plans", "conditions", "observations", "qr_phq9_anon", "qr_gad7_anon", "qr_registration_anon", "qr_referral_anon"]));

    for (const dataset of manifest.datasets as { dataset: string; file: string; rows: number; columns: { name: string }[] }[]) {
      const rows = parseCsv(entries.get(dataset.file)!);
      expect(rows.length, dataset.dataset).toBe(dataset.rows);
      expect(Object.keys(rows[0] ?? {}).length || dataset.columns.length).toBe(dataset.columns.length);
    }
    expect(manifest.datasets.find((d: { dataset: string }) => d.dataset === "patient_anon").rows).toBe(3);
    expect(manifest.k_anonymity).toMatchObject({ k: 1, groups_below_threshold: 2, required_k: 0, outcome: "reported" });
    expect(manifest.k_anonymity.quasi_identifiers.map((identifier: { column: string }) => identifier.column)).toEqual(["age", "gender", "zip3"]);

    const everything = [...entries.values()].join("\n").toLowerCase();
    for (const patient of patients) {
      for (const value of identifiersOf(patient)) expect(everything.includes(value.toLowerCase()), `leaked ${value === patient.id ? "internal id" : "identifier"}`).toBe(false);
    }

    const patientRows = parseCsv(entries.get("patient_anon.csv")!);
    const percival = patientRows.find((row) => row.patient_id === pseudonymize(env().ANON_KEY, "patient", patients[1]!.id))!;
    expect(percival).toMatchObject({ age: "90+", zip3: "000XX", given_name: "REDACTED", phone: "REDACTED", ssn: "REDACTED", city: "REDACTED", state: "IL" });
    const encounters = parseCsv(entries.get("encounters.csv")!);
    expect(encounters.every((row) => row.start_date === "2026")).toBe(true);
    expect(encounters.some((row) => row.reason_text.includes("[REDACTED]"))).toBe(true);
    const phq = parseCsv(entries.get("qr_phq9_anon.csv")!);
    expect(phq[0]).toMatchObject({ little_interest: "2", feeling_down: "1", total_score: "12", severity: "moderate" });
    const registration = parseCsv(entries.get("qr_registration_anon.csv")!);
    expect(registration[0]).toMatchObject({ preferred_name: "REDACTED", phone: "REDACTED", email: "REDACTED", address: "REDACTED", emergency_contact_name: "REDACTED" });
    // "FAMILY, Given" is one whole name: one redaction.
    expect(registration[0]!.reason_for_visit).toMatch(/^My name is \[REDACTED\]; call \[REDACTED\]$/);

    const progress = job.progress as { datasets: Record<string, { rows: number; total: number; done?: boolean }> };
    expect(progress.datasets.patient_anon).toMatchObject({ rows: 3, total: 3, done: true });
    const completed = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "export_completed", exportJobId: job.id } });
    expect(completed.metadata).toMatchObject({ tier: "anon", releaseScan: { outcome: "clean", patients: 3 } });
  });

  it("gives the same pseudonyms in two exports, and standard profile shifts each patient's dates consistently", async () => {
    const first = await exportAndRead(createUser({ role: "ANALYST" }), { tier: "anon", datasets: ["patient_anon", "encounters", "qr_registration_anon"] });
    const second = await exportAndRead(createUser({ role: "ANALYST" }), { tier: "anon", datasets: ["patient_anon", "encounters", "qr_registration_anon"], profile: "standard" });
    const ids = (entries: Map<string, string>) => parseCsv(entries.get("patient_anon.csv")!).map((row) => row.patient_id).sort();
    expect(ids(first.entries)).toEqual(ids(second.entries));
    expect(ids(first.entries)).toHaveLength(3);

    const standardPatients = parseCsv(second.entries.get("patient_anon.csv")!);
    expect(standardPatients.every((row) => /^XXX-XXX-\d{4}$/.test(row.phone!))).toBe(true);
    // Encounter and registration dates of one patient move by the same offset.
    const encounters = parseCsv(second.entries.get("encounters.csv")!);
    const registrations = parseCsv(second.entries.get("qr_registration_anon.csv")!);
    for (const encounter of encounters) {
      const registration = registrations.find((row) => row.patient_id === encounter.patient_id)!;
      const gap = (Date.parse(encounter.start_date!) - Date.parse(registration.authored_date!)) / 86_400_000;
      expect(gap).toBe(34);
      expect(encounter.start_date).not.toBe("2026-10-05");
    }
  });

  it("fails the job and offers nothing when a planted identifier reaches a kept column", async () => {
    const planted = await prisma.condition.create({ data: { fhirId: "cond-planted", patientId: patients[0]!.id, icd10Code: "Z00", display: `note about ${patients[0]!.familyName}`, raw: {} } });
    try {
      const { actor } = await createUser({ role: "ANALYST" });
      const started = await createDatasetExport(actor, { tier: "anon", datasets: ["conditions"] });
      await drainJobs();
      const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
      expect(job.status).toBe("FAILED");
      expect(job.fileKey).toBeNull();
      expect(job.errorMessage).toContain(pseudonymize(env().ANON_KEY, "patient", patients[0]!.id));
      expect(job.errorMessage).toContain("name");
      expect(job.errorMessage).not.toContain(patients[0]!.familyName);
      // The page named the stage that failed: each new stage is written, however soon after the last.
      // The stored file's scan (DATASET_EXPORT_PARTITIONS=off), or the in-worker scan while writing the dataset (on).
      expect((job.progress as { stage?: string } | null)?.stage).toMatch(env().DATASET_EXPORT_PARTITIONS === "on" ? /^writing conditions$/ : /^release scan: \d+% of the file$/);
      const files = await storage().exists(`${actor.id}/${job.id}/${job.fileName ?? "x"}`);
      expect(files).toBe(false);
      // The analyst reads the pseudonym; the audit record gives an administrator the patient to open.
      expect(job.errorMessage).not.toContain(patients[0]!.id);
      expect(job.errorMessage).toMatch(/administrator can open that patient/);
      const failure = await prisma.exportAuditLog.findMany({ where: { action: "export_failed", exportJobId: job.id } });
      expect(failure.map((record) => record.patientId)).toEqual([patients[0]!.id]);
    } finally {
      await prisma.condition.delete({ where: { id: planted.id } });
    }
  });
});

describe("dates and written answers in free text", () => {
  it("scrubs every date from notes and written open-choice answers in both profiles, and keeps picked codes", async () => {
    const percival = patients[1]!;
    const localPhone = percival.phone!.replace(/\D/g, "").slice(-7);
    const note = await prisma.encounter.create({
      data: {
        fhirId: "enc-dated-note",
        patientId: percival.id,
        status: "finished",
        startAt: new Date("2026-10-12T15:00:00Z"),
        reasonText: "Fell on May 6th; born 5/6/1931, seen 2026-10-05 and 10/12/26, PHQ-9 14/27 at 10:30",
        raw: {},
      },
    });
    const intake = await prisma.questionnaireResponse.create({
      data: {
        fhirId: "qr-intake-open-choice",
        patientId: percival.id,
        questionnaire: "intake",
        status: "completed",
        authoredAt: new Date("2026-10-12T15:00:00Z"),
        items: [
          { linkId: "symptom-duration", answer: [{ valueString: `Other: since ${percival.givenName} fell on 6 May 1931?? call ${localPhone.slice(0, 3)}-${localPhone.slice(3)}` }] },
          { linkId: "substance-use", answer: [{ valueCoding: { code: "LA6270-8", display: "Never" } }] },
        ],
        raw: {},
      },
    });
    try {
      for (const profile of ["safe-harbor", "standard"] as const) {
        const { entries } = await exportAndRead(createUser({ role: "ANALYST" }), { tier: "anon", datasets: ["encounters", "qr_intake_anon"], profile });
        const patientId = pseudonymize(env().ANON_KEY, "patient", percival.id);
        const reason = parseCsv(entries.get("encounters.csv")!).find((row) => row.patient_id === patientId && row.reason_text!.startsWith("Fell"))!;
        expect(reason.reason_text, profile).toBe("Fell on [REDACTED]; born [REDACTED], seen [REDACTED] and [REDACTED], PHQ-9 14/27 at 10:30");
        const answers = parseCsv(entries.get("qr_intake_anon.csv")!).find((row) => row.patient_id === patientId)!;
        expect(answers.symptom_duration, profile).toBe("Other: since [REDACTED] fell on [REDACTED]?? call [REDACTED]");
        expect(answers.substance_use, profile).toBe("LA6270-8");
      }
    } finally {
      await prisma.questionnaireResponse.delete({ where: { id: intake.id } });
      await prisma.encounter.delete({ where: { id: note.id } });
    }
  });

  it("fails the job when a birth date written without zeros reaches a kept column", async () => {
    const planted = await prisma.condition.create({ data: { fhirId: "cond-planted-dob", patientId: patients[1]!.id, icd10Code: "Z00", display: "history since 5/6/1931", raw: {} } });
    try {
      const { actor } = await createUser({ role: "ANALYST" });
      const started = await createDatasetExport(actor, { tier: "anon", datasets: ["conditions"] });
      await drainJobs();
      const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
      expect(job.status).toBe("FAILED");
      expect(job.fileKey).toBeNull();
      expect(job.errorMessage).toContain(`birth date of patient ${pseudonymize(env().ANON_KEY, "patient", patients[1]!.id)}`);
    } finally {
      await prisma.condition.delete({ where: { id: planted.id } });
    }
  });
});

describe("written answers to scored questionnaires", () => {
  it("scrubs the patient's own name out of a PHQ-9 answer written instead of picked", async () => {
    const patient = patients[0]!;
    const written = await prisma.questionnaireResponse.create({
      data: {
        fhirId: `qr-written-${patient.id}`,
        patientId: patient.id,
        questionnaire: "phq-9",
        status: "completed",
        authoredAt: new Date("2026-10-20T10:00:00Z"),
        items: [{ linkId: "phq9-3", answer: [{ valueString: `${patient.givenName} could not sleep` }] }],
        raw: {},
      },
    });
    try {
      const { entries } = await exportAndRead(createUser({ role: "ANALYST" }), { tier: "anon", datasets: ["qr_phq9_anon"] });
      const csv = entries.get("qr_phq9_anon.csv")!;
      expect(csv).toContain("[REDACTED] could not sleep");
      expect(csv.toLowerCase()).not.toContain(patient.givenName!.toLowerCase());
      // The row written again once its patient was loaded keeps its place: the oldest response, first.
      const rows = parseCsv(csv);
      expect(rows).toHaveLength(await prisma.questionnaireResponse.count({ where: { questionnaire: "phq-9" } }));
      expect(Object.values(rows[0]!)).toContain("[REDACTED] could not sleep");
    } finally {
      await prisma.questionnaireResponse.delete({ where: { id: written.id } });
    }
  });
});

describe("pii tier, attestation, validation and rate limit", () => {
  it("refuses therapists and analysts without the grant, requires a reason, audits it", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const { user: plain } = await createUser({ role: "ANALYST" });
    const { user: granted } = await createUser({ role: "ANALYST", piiAccess: true });
    const body = { tier: "pii", attestation: true, reason: "Medicaid reconciliation project 2026" };

    expect((await call(startExportRoute, { path: "/api/v1/datasets/exports", token: await tokenFor(therapist.id), body: { tier: "anon", attestation: true } })).status).toBe(403);
    expect((await call(startExportRoute, { path: "/api/v1/datasets/exports", token: await tokenFor(plain.id), body })).status).toBe(403);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: plain.id } })).toBe(1);

    const noReason = await call(startExportRoute, { path: "/api/v1/datasets/exports", token: await tokenFor(granted.id), body: { tier: "pii", attestation: true } });
    expect(noReason.status).toBe(400);
    expect(noReason.json.issues).toEqual([expect.objectContaining({ path: "reason" })]);

    const ok = await call(startExportRoute, { path: "/api/v1/datasets/exports", token: await tokenFor(granted.id), body: { ...body, datasets: ["patient"] } });
    expect(ok.status).toBe(202);
    expect(ok.json).toMatchObject({ id: expect.any(String), status: "pending" });
    const created = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "export_created", exportJobId: ok.json.id as string } });
    expect(created.metadata).toMatchObject({ tier: "pii", reason: body.reason });

    await drainJobs();
    const jobId = ok.json.id as string;
    const status = await call(exportStatusRoute, { path: `/api/v1/datasets/exports/${jobId}`, token: await tokenFor(granted.id), params: { id: jobId } });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ status: "completed", sha256: expect.stringMatching(/^[0-9a-f]{64}$/), file_size: expect.any(Number), download_url: null, expires_at: expect.any(String) });
    const storedJob = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(status.json.sha256).toBe(storedJob.checksum);
    expect(status.json.expires_at).toBe(storedJob.expiresAt!.toISOString());
    const stranger = await call(exportStatusRoute, { path: `/api/v1/datasets/exports/${jobId}`, token: await tokenFor(plain.id), params: { id: jobId } });
    expect(stranger.status).toBe(404);
    const download = await call(downloadRoute, { path: `/api/v1/datasets/exports/${jobId}/download`, token: await tokenFor(granted.id), params: { id: jobId } });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/zip");
    expect(download.headers.get("content-disposition")).toMatch(/careexport_pii_\d{8}_\d{6}\.zip/);
    const { zip } = await jobFile(jobId);
    const rows = parseCsv(unzipEntries(zip).get("patient.csv")!);
    expect(rows.map((row) => row.family_name).sort()).toEqual(patients.map((patient) => patient.familyName).sort());
    expect(rows[0]).toHaveProperty("birth_date");
  });

  it("validates attestation, datasets, profile and since, naming the field", async () => {
    const { user } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(user.id);
    const post = (body: unknown) => call(startExportRoute, { path: "/api/v1/datasets/exports", token, body });

    const noAttestation = await post({ tier: "anon" });
    expect(noAttestation.status).toBe(400);
    expect(noAttestation.json.issues).toEqual([expect.objectContaining({ path: "attestation" })]);
    const unknown = await post({ tier: "anon", attestation: true, datasets: ["patient_anon", "nope"] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.issues).toEqual([expect.objectContaining({ path: "datasets.1" })]);
    expect((await post({ tier: "secret", attestation: true })).json.issues).toEqual([expect.objectContaining({ path: "tier" })]);
    const sinceCases: [string, string][] = [
      ["yesterday", "must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a zone (Z or +01:00)"],
      ["2026-13-45", "is not a real calendar date"],
      ["2026-02-30", "is not a real calendar date"],
      ["0000-01-01", "must be between 1900-01-01 and 2100-12-31"],
      ["9999-12-31T00:00:00Z", "must be between 1900-01-01 and 2100-12-31"],
    ];
    for (const [since, message] of sinceCases) {
      expect((await post({ tier: "anon", attestation: true, since })).json.issues, since).toEqual([{ path: "since", message }]);
    }

    const { user: admin } = await createUser({ role: "ADMIN" });
    await updateSettings({ anonymization_minimum_profile: "safe-harbor" }, admin.id);
    try {
      const weaker = await post({ tier: "anon", attestation: true, profile: "standard" });
      expect(weaker.status).toBe(400);
      expect(weaker.json.issues).toEqual([expect.objectContaining({ path: "profile" })]);
    } finally {
      await updateSettings({ anonymization_minimum_profile: "standard" }, admin.id);
    }
    expect(await prisma.exportJob.count({ where: { userId: user.id } })).toBe(0);
  });

  it("limits a user to the configured exports per hour with 429 and Retry-After; admins and metrics exports are exempt", async () => {
    const { user } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(user.id);
    const body = { tier: "anon", attestation: true };
    const metrics = { tier: "metrics", attestation: true };
    // A metrics export first: it does not use up the hour's export.
    expect((await call(startExportRoute, { path: "/api/v1/datasets/exports", token, body: metrics })).status).toBe(202);
    expect((await call(startExportRoute, { path: "/api/v1/datasets/exports", token, body })).status).toBe(202);
    const limited = await call(startExportRoute, { path: "/api/v1/datasets/exports", token, body });
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(3000);
    // Aggregate and small: metrics exports are never limited, even with the hour used up.
    expect((await call(startExportRoute, { path: "/api/v1/datasets/exports", token, body: metrics })).status).toBe(202);

    const { user: admin } = await createUser({ role: "ADMIN" });
    const adminToken = await tokenFor(admin.id);
    expect((await call(startExportRoute, { path: "/api/v1/datasets/exports", token: adminToken, body })).status).toBe(202);
    expect((await call(startExportRoute, { path: "/api/v1/datasets/exports", token: adminToken, body })).status).toBe(202);
    await drainJobs();
  });
});

describe("catalog and fail-closed columns", () => {
  it("lists the caller's tiers with columns and policies", async () => {
    const { user } = await createUser({ role: "ANALYST" });
    const catalog = await call(catalogRoute, { path: "/api/v1/datasets", token: await tokenFor(user.id) });
    expect(catalog.status).toBe(200);
    expect(catalog.json.tiers).toEqual(["anon", "metrics"]);
    const datasets = catalog.json.datasets as { name: string; tier: string; row_count: number | null; columns: { name: string; policy: string }[] }[];
    const patientAnon = datasets.find((dataset) => dataset.name === "patient_anon")!;
    expect(patientAnon.row_count).toBe(3);
    expect(patientAnon.columns).toEqual(expect.arrayContaining([{ name: "age", policy: "birth_date_to_age", description: expect.any(String) }]));
    expect(datasets.some((dataset) => dataset.tier === "pii")).toBe(false);

    const { user: therapist } = await createUser({ role: "THERAPIST" });
    expect((await call(catalogRoute, { path: "/api/v1/datasets", token: await tokenFor(therapist.id) })).status).toBe(403);
  });

  it("never exports a column without a valid policy, in any tier", async () => {
    const base = findDataset("anon", "patient_anon")!;
    for (const tier of ["anon", "pii"] as const) {
      const dataset: TDataset = {
        ...base,
        tier,
        columns: [
          ...base.columns.filter((column) => column.name === "patient_id"),
          { name: "ssn_unguarded", description: "no policy", value: (row) => row.ssn },
          { name: "ssn_bogus_policy", description: "unknown policy", policy: "trust-me", value: (row) => row.ssn },
        ],
      };
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on("data", (chunk: Buffer) => chunks.push(chunk));
      const result = await writeDatasetCsv(dataset, sink, { db: prisma, profile: "safe-harbor", key: env().ANON_KEY, asOf: new Date(), since: null, seenPatientIds: new Set() });
      sink.end();
      const text = Buffer.concat(chunks).toString("utf8");
      expect(result.columns.map((column) => column.name)).toEqual(["patient_id"]);
      expect(text.split("\r\n")[0]).toBe("patient_id");
      for (const patient of patients) expect(text).not.toContain(patient.ssn!);
      expect(result.rows).toBe(3);
    }
  });
});

describe("keyset paging", () => {
  it("reads every row exactly once in batches of one, across equal dates", async () => {
    for (const name of ["encounters", "qr_registration_anon", "qr_phq9_anon", "patient_anon", "observations"]) {
      const dataset = findDataset("anon", name)!;
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on("data", (chunk: Buffer) => chunks.push(chunk));
      const batches: number[] = [];
      const result = await writeDatasetCsv(dataset, sink, { db: prisma, profile: "safe-harbor", key: env().ANON_KEY, asOf: new Date(), since: null, batchSize: 1, seenPatientIds: new Set(), onBatch: (rows) => void batches.push(rows) });
      const rows = parseCsv(Buffer.concat(chunks).toString("utf8"));
      expect(result.rows, name).toBe(3);
      expect(new Set(rows.map((row) => Object.values(row)[0])).size, name).toBe(3);
      expect(batches, name).toEqual([1, 2, 3]);
    }
  });
});

describe("metrics tier", () => {
  it("suppresses patient counts under 11 and keeps larger ones", async () => {
    const big = await createOrganization("Big clinic");
    const practitioner = await prisma.practitioner.create({ data: { fhirId: "prac-big", givenName: "Lee", familyName: "Morrow", organizationId: big.id, raw: {} } });
    for (let index = 0; index < 12; index++) {
      await prisma.patient.create({ data: { fhirId: `big-${index}`, givenName: `Quillon${index}x`, familyName: "Ravensworth", organizationId: big.id, generalPractitionerId: practitioner.id, raw: {} } });
    }
    const { entries } = await exportAndRead(createUser({ role: "ANALYST" }), { tier: "metrics" });
    const rows = parseCsv(entries.get("fct_metrics_long.csv")!);
    const patientCount = (org: string) => rows.find((row) => row.metric_id === "patient_count" && row.organization_id === org)!;
    expect(patientCount(big.id)).toMatchObject({ value: "12", suppressed: "false" });
    expect(patientCount(organizationId)).toMatchObject({ value: "", suppressed: "true" });
    expect(rows.find((row) => row.metric_id === "provider_count" && row.organization_id === organizationId)).toMatchObject({ value: "1", suppressed: "false" });
    expect(rows.find((row) => row.metric_id === "active_providers" && row.organization_id === organizationId)).toMatchObject({ value: "1" });
    expect(rows.find((row) => row.metric_id === "percent_active_providers" && row.organization_id === organizationId)).toMatchObject({ value: "100" });
    expect(rows.find((row) => row.metric_id === "encounters_by_delivery_format" && row.organization_id === organizationId)).toMatchObject({ dimension: "telehealth", value: "3", period_date: "2026-10-01" });
    expect(rows.find((row) => row.metric_id === "phq9_severity_distribution")).toMatchObject({ dimension: "moderate", value: "", suppressed: "true" });
    expect(rows.find((row) => row.metric_id === "referral_accepted_clients")).toMatchObject({ dimension: "housing", suppressed: "true" });
    const manifest = JSON.parse(entries.get("manifest.json")!);
    expect(manifest.datasets[0]).toMatchObject({ dataset: "fct_metrics_long", rows: rows.length });
  });
});

type TSseEvent = { id: number; event: string; data: Record<string, unknown> & { progress?: { datasets?: Record<string, { rows: number; total: number; done?: boolean }> } } };

/** Opens the job's event stream as a client would; `next()` resolves with the next event (null: stream closed). */
async function openEvents(token: string, jobId: string, lastEventId?: number) {
  const abort = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, "user-agent": "vitest" };
  if (lastEventId !== undefined) headers["last-event-id"] = String(lastEventId);
  const request = new Request(`http://127.0.0.1:3999/api/v1/datasets/exports/${jobId}/events`, { headers, signal: abort.signal });
  const response = await exportEventsRoute(request, { params: Promise.resolve({ id: jobId }) });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";

  const next = async (): Promise<TSseEvent | null> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map(block.split("\n").filter((line) => line && !line.startsWith(":")).map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()] as const));
        if (!fields.has("event")) continue;
        return { id: Number(fields.get("id")), event: fields.get("event")!, data: JSON.parse(fields.get("data")!) };
      }
      const chunk = await reader.read();
      if (chunk.done) return null;
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };

  return { next, close: () => abort.abort() };
}

describe("export progress as Server-Sent Events", () => {
  it("streams per-dataset progress, ends with done, and resumes after Last-Event-ID without repeats", async () => {
    const { user, actor } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(user.id);
    const started = await createDatasetExport(actor, { tier: "anon", datasets: ["patient_anon", "encounters"] });
    const jobId = started.job_id;

    // A fresh stream reports the job's current state first.
    const first = await openEvents(token, jobId);
    const queued = await first.next();
    expect(queued).toMatchObject({ event: "progress", data: { id: jobId } });
    expect(queued!.data.status).not.toBe("completed");

    // The runner writes per-dataset progress onto the job; the open stream relays it.
    await prisma.exportJob.update({ where: { id: jobId }, data: { progress: { stage: "writing patient_anon", datasets: { patient_anon: { rows: 1, total: 3 }, encounters: { rows: 0, total: 3 } } } } });
    const progress = await first.next();
    expect(progress!.event).toBe("progress");
    expect(progress!.id).toBeGreaterThan(queued!.id);
    expect(progress!.data.progress?.datasets).toEqual({ patient_anon: { rows: 1, total: 3 }, encounters: { rows: 0, total: 3 } });
    first.close();

    // Reconnect with the last id seen, then let the job run: nothing already seen comes again,
    // and the stream ends with `done` carrying the final rows per dataset.
    const resumed = await openEvents(token, jobId, progress!.id);
    const running = drainJobs();
    const events: TSseEvent[] = [];
    for (let event = await resumed.next(); event; event = await resumed.next()) events.push(event);
    await running;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.id > progress!.id)).toBe(true);
    const done = events[events.length - 1]!;
    expect(done.event).toBe("done");
    expect(done.data.status).toBe("completed");
    const [patientCount, encounterCount] = [await prisma.patient.count(), await prisma.encounter.count()];
    expect(patientCount).toBeGreaterThanOrEqual(patients.length);
    expect(done.data.progress?.datasets).toMatchObject({ patient_anon: { rows: patientCount, total: patientCount, done: true }, encounters: { rows: encounterCount, total: encounterCount, done: true } });
    for (const event of events.slice(0, -1)) expect(event.event).toBe("progress");

    // A client that saw `done` and reconnects is told again that it is done (and stops).
    const again = await openEvents(token, jobId, done.id);
    expect(await again.next()).toMatchObject({ event: "done", id: done.id });
    expect(await again.next()).toBeNull();

    // Another analyst cannot watch it.
    const { user: other } = await createUser({ role: "ANALYST" });
    const denied = await exportEventsRoute(new Request(`http://127.0.0.1:3999/api/v1/datasets/exports/${jobId}/events`, { headers: { authorization: `Bearer ${await tokenFor(other.id)}` } }), { params: Promise.resolve({ id: jobId }) });
    expect(denied.status).toBe(404);
  });
});

describe("past exports list and catalog by tier", () => {
  it("lists the caller's dataset exports in the page's shape; an admin sees everyone's", async () => {
    const { user, actor } = await createUser({ role: "ANALYST" });
    const { user: other, actor: otherActor } = await createUser({ role: "ANALYST" });
    const { user: admin } = await createUser({ role: "ADMIN" });
    const mine = await createDatasetExport(actor, { tier: "anon", datasets: ["organizations"] });
    const theirs = await createDatasetExport(otherActor, { tier: "anon", datasets: ["locations"] });
    await drainJobs();

    const listed = await call(listExportsRoute, { path: "/api/v1/datasets/exports", token: await tokenFor(user.id) });
    expect(listed.status).toBe(200);
    const exports = listed.json.exports as Record<string, unknown>[];
    expect(exports.map((entry) => entry.id)).toEqual([mine.job_id]);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: mine.job_id } });
    expect(exports[0]).toEqual({
      id: mine.job_id,
      tier: "anon",
      datasets: ["organizations"],
      status: "completed",
      created_at: job.createdAt.toISOString(),
      completed_at: job.completedAt!.toISOString(),
      file_size: job.fileSize,
      sha256: job.checksum,
      expires_at: job.expiresAt?.toISOString() ?? null,
      error: null,
    });
    expect(job.checksum).toMatch(/^[0-9a-f]{64}$/);

    const all = await call(listExportsRoute, { path: "/api/v1/datasets/exports", token: await tokenFor(admin.id) });
    expect((all.json.exports as { id: string }[]).map((entry) => entry.id)).toEqual(expect.arrayContaining([mine.job_id, theirs.job_id]));
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    expect((await call(listExportsRoute, { path: "/api/v1/datasets/exports", token: await tokenFor(therapist.id) })).status).toBe(403);
    expect(other.id).not.toBe(user.id);
  });

  it("filters the catalog by ?tier= and names a bad tier", async () => {
    const { user } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(user.id);
    const anon = await call(catalogRoute, { path: "/api/v1/datasets?tier=anon", token });
    expect(anon.status).toBe(200);
    const datasets = anon.json.datasets as { name: string; tier: string; description: string; source: string; row_count: number | null; since_applies: boolean; columns: { name: string; policy: string; description: string }[] }[];
    expect(datasets.length).toBeGreaterThan(5);
    expect(new Set(datasets.map((dataset) => dataset.tier))).toEqual(new Set(["anon"]));
    expect(datasets.find((dataset) => dataset.name === "patient_anon")).toMatchObject({ source: "Patient", row_count: await prisma.patient.count(), since_applies: false });
    // `since` keeps rows dated on or after it only where the table has such a date.
    expect(datasets.filter((dataset) => dataset.since_applies).map((dataset) => dataset.name)).toEqual(expect.arrayContaining(["encounters", "observations", "qr_phq9_anon"]));
    expect(datasets.find((dataset) => dataset.name === "practitioners")).toMatchObject({ since_applies: false });
    expect(datasets[0]!.columns[0]).toEqual({ name: expect.any(String), policy: expect.any(String), description: expect.any(String) });
    expect((await call(catalogRoute, { path: "/api/v1/datasets?tier=pii", token })).status).toBe(403);
    const bad = await call(catalogRoute, { path: "/api/v1/datasets?tier=everything", token });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("tier");
  });
});
