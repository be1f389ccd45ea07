// Exports end to end with STORAGE_DRIVER=s3 against a real S3-compatible server (s3rver, its
// own process): a report and a dataset export run by the job runner, downloaded through the
// routes, kept only encrypted in the bucket, removed by the expiry sweep and by deleting the
// job; and a schedule's storage delivery into a bucket prefix (DELIVERY_DRIVER=s3).
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GET as datasetDownloadRoute } from "@/app/api/v1/datasets/exports/[id]/download/route";
import { GET as downloadRoute } from "@/app/api/v1/export/download/[id]/route";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { prisma } from "@/lib/db/client";
import { deliverToBucket } from "@/lib/delivery/bucket-delivery";
import { deleteJob } from "@/lib/jobs/delete-job";
import { drainJobs } from "@/lib/jobs/runner";
import { sweepExpiredFiles } from "@/lib/jobs/sweep-expired";
import { createReportExport } from "@/lib/reports/create-report-export";
import { seedReportPatient } from "@/lib/reports/testing/seed-report-patient";
import { patientFilePseudonym } from "@/lib/schedules/delivered-file-name";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";
import { s3ConnectionFromEnv } from "@/lib/storage";
import { createS3Client } from "@/lib/storage/s3-storage";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { overrideEnv, startS3Server, type TS3TestServer } from "../setup/s3-server";
import { createClinicalPatient, createOrganization, unzipEntries } from "./dataset-helpers";
import { completeJob, progressReportSchedule, runsOf, therapistWithPatient } from "./schedule-helpers";

let s3: TS3TestServer;
let restoreEnv: () => void;

beforeAll(async () => {
  s3 = await startS3Server("careexport-e2e");
  restoreEnv = overrideEnv({ ...s3.env, DELIVERY_DRIVER: "s3", DELIVERY_S3_PREFIX: "deliveries/" });
});

afterAll(async () => {
  restoreEnv();
  await s3.stop();
});

const META = { ipAddress: "10.0.0.9", userAgent: "vitest s3", via: "test" };

async function objectKeys(prefix: string) {
  const listed = await createS3Client(s3ConnectionFromEnv()).send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));

  return (listed.Contents ?? []).map((object) => object.Key!);
}

async function objectBytes(key: string) {
  const object = await createS3Client(s3ConnectionFromEnv()).send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));

  return Buffer.from(await object.Body!.transformToByteArray());
}

describe("exports with STORAGE_DRIVER=s3", () => {
  it("a report is produced into the bucket encrypted, downloads whole through the route, and is swept when it expires", async () => {
    const { user, actor } = await createUser({ role: "THERAPIST", name: "Robin Hale" });
    const { patient } = await seedReportPatient({ assignedTo: user.id });
    const created = await createReportExport(actor, { exportType: "progress_report", body: { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" } }, { meta: META });
    expect(await drainJobs()).toEqual(["completed"]);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: created.job_id } });

    // In the bucket, under the prefix: only the envelope, none of the plaintext.
    expect(await objectKeys(`exports/${user.id}/${job.id}/`)).toEqual([`exports/${job.fileKey}`]);
    const raw = await objectBytes(`exports/${job.fileKey}`);
    expect(raw.subarray(0, 4).toString("latin1")).toBe("CEX1");
    expect(raw.includes(Buffer.from(patient.familyName))).toBe(false);

    const response = await call(downloadRoute, { path: `/api/v1/export/download/${job.id}`, token: await tokenFor(user.id), params: { id: job.id } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).patient.family_name).toBe(patient.familyName);
    expect(createHash("sha256").update(response.text).digest("hex")).toBe(job.checksum);
    expect(response.headers.get("x-content-sha256")).toBe(job.checksum);
    expect(raw.length).toBe(job.fileSize! + 4 + 12 + 16);

    await prisma.exportJob.update({ where: { id: job.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    expect(await sweepExpiredFiles()).toBe(1);
    expect(await objectKeys(`exports/${user.id}/${job.id}/`)).toEqual([]);
    expect(await prisma.exportJob.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "EXPIRED", fileKey: null });
  });

  it("a dataset export goes through the bucket, downloads as a whole ZIP, and deleting the job deletes its object", async () => {
    const organization = await createOrganization();
    const practitioner = await prisma.practitioner.create({ data: { fhirId: `prac-s3-${Date.now()}`, givenName: "Dana", familyName: "Whitfield", organizationId: organization.id, raw: {} } });
    const patient = await createClinicalPatient({ organizationId: organization.id, practitionerId: practitioner.id, givenName: "Ottoline", familyName: "Brackenridge" });
    const { user, actor } = await createUser({ role: "ANALYST" });
    const started = await createDatasetExport(actor, { tier: "anon" });
    expect(await drainJobs()).toContain("completed");
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
    expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");

    const response = await fetchBytes(datasetDownloadRoute, job.id, await tokenFor(user.id));
    expect(response.status).toBe(200);
    expect(createHash("sha256").update(response.body).digest("hex")).toBe(job.checksum);
    const entries = unzipEntries(response.body);
    expect(entries.has("manifest.json")).toBe(true);
    const everything = [...entries.values()].join("\n");
    expect(everything).not.toContain(patient.familyName);
    expect(await objectKeys(`exports/${job.fileKey}`)).toEqual([`exports/${job.fileKey}`]);

    await deleteJob(actor, job.id, META);
    expect(await objectKeys(`exports/${user.id}/${job.id}/`)).toEqual([]);
  });

  it("a schedule's storage delivery lands in the delivery prefix as the plain file, and a second one of the same name never replaces it", async () => {
    const { actor, patient } = await therapistWithPatient();
    const first = Buffer.from("%PDF-1.4\n% the morning report\n");
    const second = Buffer.from("%PDF-1.4\n% the evening report\n");
    const morning = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_target: "clinic-a" }), { now: new Date("2026-11-30T12:00:00Z") });
    const evening = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_target: "clinic-a", schedule_config: { time: "18:00", timezone: "UTC" } }), {
      now: new Date("2026-12-01T09:00:00Z"),
    });

    const tick1 = await runSchedulerTick(new Date("2026-12-01T08:00:00Z"));
    await completeJob(tick1.runs.find((r) => r.scheduleId === morning.id)!.jobId!, first);
    const tick2 = await runSchedulerTick(new Date("2026-12-01T18:00:00Z"));
    await completeJob(tick2.runs.find((r) => r.scheduleId === evening.id)!.jobId!, second);

    const name = `progress_report_${patientFilePseudonym(patient.id)}_2026-12-01`;
    const prefix = "deliveries/clinic-a/2026/12/01/";
    expect((await objectKeys(prefix)).sort()).toEqual([`${prefix}${name}-2.pdf`, `${prefix}${name}.pdf`]);
    expect(await objectBytes(`${prefix}${name}.pdf`)).toEqual(first);
    expect(await objectBytes(`${prefix}${name}-2.pdf`)).toEqual(second);
    const [morningRun] = await runsOf(morning.id);
    expect(morningRun).toMatchObject({ status: "delivered" });
    expect(morningRun!.deliveryLog).toMatchObject({ path: `clinic-a/2026/12/01/${name}.pdf`, bucket: s3.bucket });
  });
});

describe("storage delivery into a bucket", () => {
  it("a delivery repeated after an interruption finds its own bytes and writes no second copy; other bytes get the next name", async () => {
    const bytes = Buffer.from("%PDF-1.4\n% delivered once\n");
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const options = { folder: "repeat", scheduledFor: new Date("2026-12-02T08:00:00Z"), timeZone: "UTC", fileName: "report_x_2026-12-02.pdf" };
    const open = async (content: Buffer) => Readable.from([content]);

    const first = await deliverToBucket({ ...options, sha256, open: () => open(bytes) });
    expect(first).toMatchObject({ relativePath: "repeat/2026/12/02/report_x_2026-12-02.pdf", isAlreadyPresent: false, key: "deliveries/repeat/2026/12/02/report_x_2026-12-02.pdf" });
    const again = await deliverToBucket({ ...options, sha256, open: () => open(bytes) });
    expect(again).toMatchObject({ key: first.key, isAlreadyPresent: true });

    const other = Buffer.from("%PDF-1.4\n% someone else's\n");
    const third = await deliverToBucket({ ...options, sha256: createHash("sha256").update(other).digest("hex"), open: () => open(other) });
    expect(third).toMatchObject({ relativePath: "repeat/2026/12/02/report_x_2026-12-02-2.pdf", isAlreadyPresent: false });
    expect((await objectKeys("deliveries/repeat/")).sort()).toEqual([first.key, third.key].sort());
    expect(await objectBytes(first.key)).toEqual(bytes);
  });
});

async function fetchBytes(handler: typeof datasetDownloadRoute, id: string, token: string) {
  const response = await handler(new Request(`http://127.0.0.1:3999/api/v1/datasets/exports/${id}/download`, { headers: { authorization: `Bearer ${token}`, "user-agent": "vitest" } }), {
    params: Promise.resolve({ id }),
  });

  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}
