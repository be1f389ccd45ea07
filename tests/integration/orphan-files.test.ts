// The orphan sweep, for each storage driver: a stored file no job refers to (a worker stopped
// between storing and recording it, a partial write) is deleted once it is a day old; a job's
// file never is, nor a fresh file whose job may be about to record it.
import { writeFileSync } from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { drainJobs } from "@/lib/jobs/runner";
import { ORPHAN_MIN_AGE_MS, sweepOrphanFiles } from "@/lib/jobs/sweep-orphan-files";
import { createReportExport } from "@/lib/reports/create-report-export";
import { seedReportPatient } from "@/lib/reports/testing/seed-report-patient";
import { readAll, storage } from "@/lib/storage";

import { createUser } from "../setup/fixtures";
import { overrideEnv, startS3Server, type TS3TestServer } from "../setup/s3-server";

let s3: TS3TestServer;
let restore: () => void = () => undefined;

beforeAll(async () => {
  s3 = await startS3Server("careexport-orphans");
});

afterAll(async () => {
  restore();
  await s3.stop();
});

const later = () => new Date(Date.now() + ORPHAN_MIN_AGE_MS + 3_600_000);

describe.each([
  { name: "local", values: () => ({ STORAGE_DRIVER: "local" }) },
  { name: "s3", values: () => s3.env },
])("orphan sweep: $name driver", ({ name, values }) => {
  beforeAll(() => {
    restore();
    restore = overrideEnv(values());
  });

  it("deletes day-old files no job refers to, and keeps every job's file and fresh files", async () => {
    const { user, actor } = await createUser({ role: "THERAPIST" });
    const { patient } = await seedReportPatient({ assignedTo: user.id });
    const created = await createReportExport(actor, { exportType: "progress_report", body: { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" } });
    expect(await drainJobs()).toEqual(["completed"]);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: created.job_id } });

    const staleAttempt = `${user.id}/${job.id}/9/${job.fileName}`;
    const goneJob = `${user.id}/cjobdeletedlongago0000000/1/report.json`;
    await storage().put(staleAttempt, Buffer.from("{}"));
    await storage().put(goneJob, Buffer.from("{}"));
    if (name === "local") writeFileSync(path.join(env().STORAGE_DIR, `${job.fileKey}.partial-0a1b2c`), "half");
    // Not the runner's: kept whatever their age (a storage place shared by mistake loses nothing).
    const foreign = ["secrets.json", "2026/12/01/progress_report_x_2026-12-01.pdf", `${user.id}/notes.txt`];
    for (const key of foreign) await storage().put(key, Buffer.from("not ours"));

    // Fresh: nothing is old enough yet.
    expect(await sweepOrphanFiles()).toBe(0);
    expect(await storage().exists(goneJob)).toBe(true);

    const deleted = await sweepOrphanFiles(later());
    expect(deleted).toBeGreaterThanOrEqual(name === "local" ? 3 : 2);
    expect(await storage().exists(staleAttempt)).toBe(false);
    expect(await storage().exists(goneJob)).toBe(false);
    const left = [];
    for await (const file of storage().list()) left.push(file.key);
    expect(left).toContain(job.fileKey);
    expect(left).toEqual(expect.arrayContaining(foreign));
    expect(left.filter((key) => key.includes(".partial-"))).toEqual([]);
    expect(JSON.parse((await readAll(await storage().get(job.fileKey!))).toString("utf8")).patient.family_name).toBe(patient.familyName);
  });
});
