// The shared job system (lib/jobs) driven with real report jobs on fixture data: retries with
// backoff, giving up after maxAttempts, lease expiry after a crashed worker, exclusive claims,
// the expiry sweeper, and encryption + checksum of the stored file. No test handler is
// registered (lib/jobs has no hook for one); failures are caused for real, in storage.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { claimNextJob, LEASE_MS } from "@/lib/jobs/claim-job";
import { JOB_DEFINITIONS } from "@/lib/jobs/registry";
import { runClaimedJob } from "@/lib/jobs/run-job";
import { drainJobs } from "@/lib/jobs/runner";
import { sweepExpiredFiles } from "@/lib/jobs/sweep-expired";
import { createReportExport } from "@/lib/reports/create-report-export";
import { downloadExportAsActor } from "@/lib/reports/download-export";
import { seedReportPatient } from "@/lib/reports/testing/seed-report-patient";
import { readAll, storage } from "@/lib/storage";

import { createUser } from "../setup/fixtures";

/** The report kind's backoff: the wait after `attempt` failed. */
const retryDelayMs = (attempt: number) => JOB_DEFINITIONS.report.retry.backoffMs(attempt);

const META = { ipAddress: "10.0.0.7", userAgent: "vitest job system", via: "test" };

async function setup() {
  const { user, actor } = await createUser({ role: "THERAPIST", name: "Robin Hale" });
  const seeded = await seedReportPatient({ assignedTo: user.id });
  const queue = async () => {
    const created = await createReportExport(actor, { exportType: "progress_report", body: { patient_id: seeded.patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" } }, { meta: META });
    return created.job_id;
  };
  return { user, actor, queue, ...seeded };
}

/**
 * Makes the job's storage directory impossible to create (a plain file sits where the directory
 * must go), so storage().put fails like a full or broken disk would. Returns the undo.
 */
function breakStorageFor(userId: string, jobId: string) {
  const userDir = path.join(env().STORAGE_DIR, userId);
  mkdirSync(userDir, { recursive: true });
  const blocker = path.join(userDir, jobId);
  writeFileSync(blocker, "not a directory");
  return () => rmSync(blocker, { force: true });
}

/** Claims and runs the next job as if `ms` had passed (the backoff is data: runAfter). */
async function runAfter(ms: number, workerId = "later-worker") {
  const job = await claimNextJob(workerId, new Date(Date.now() + ms));
  if (!job) return null;
  return { job, outcome: await runClaimedJob(job, workerId) };
}

describe("job system: retries and failure", () => {
  it("a transient failure is retried with backoff and then completes", async () => {
    const { user, queue } = await setup();
    const jobId = await queue();
    const repair = breakStorageFor(user.id, jobId);

    const before = Date.now();
    expect(await drainJobs()).toEqual(["retry"]);
    const waiting = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(waiting).toMatchObject({ status: "PENDING", attempts: 1, leaseOwner: null, fileKey: null });
    expect(waiting.errorMessage).toMatch(/could not be produced/);
    // Backoff: not runnable now, runnable after the first delay.
    expect(waiting.runAfter.getTime()).toBeGreaterThanOrEqual(before + retryDelayMs(1));
    expect(await drainJobs()).toEqual([]);

    repair();
    const retried = await runAfter(retryDelayMs(1) + 1_000);
    expect(retried?.job.id).toBe(jobId);
    expect(retried?.outcome).toBe("completed");
    const done = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(done).toMatchObject({ status: "COMPLETED", attempts: 2, errorMessage: null, progressPercent: 100 });
    expect(await prisma.exportAuditLog.count({ where: { exportJobId: jobId, action: "export_failed" } })).toBe(0);
    expect(await prisma.exportAuditLog.count({ where: { exportJobId: jobId, action: "export_completed" } })).toBe(1);
  });

  it("a job that keeps failing ends FAILED with a readable error after maxAttempts, audited export_failed", async () => {
    const { user, queue } = await setup();
    const jobId = await queue();
    breakStorageFor(user.id, jobId);
    const { maxAttempts } = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(maxAttempts).toBe(3);

    expect(await drainJobs()).toEqual(["retry"]);
    const delays: number[] = [];
    let elapsed = 0;
    for (let attempt = 2; attempt <= maxAttempts; attempt++) {
      const { runAfter: due, updatedAt } = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
      delays.push(due.getTime() - updatedAt.getTime());
      elapsed += retryDelayMs(attempt - 1) + 1_000;
      const run = await runAfter(elapsed);
      expect(run?.outcome).toBe(attempt < maxAttempts ? "retry" : "failed");
    }
    // Each wait is longer than the one before (exponential backoff).
    expect(delays[1]!).toBeGreaterThan(delays[0]!);

    const failed = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(failed).toMatchObject({ status: "FAILED", attempts: maxAttempts, fileKey: null, leaseOwner: null });
    expect(failed.errorMessage).toMatch(/^The export could not be produced/);
    expect(failed.errorMessage).not.toMatch(/ENOTDIR|EEXIST|at \w+ \(/);
    const audits = await prisma.exportAuditLog.findMany({ where: { exportJobId: jobId, action: "export_failed" } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ outcome: "failure", userId: user.id, ipAddress: META.ipAddress, userAgent: META.userAgent });
    expect(JSON.stringify(audits[0]!.metadata)).toContain(`"attempts":${maxAttempts}`);
    expect(await runAfter(3_600_000)).toBeNull();
  });
});

describe("job system: leases and claims", () => {
  it("a crashed worker's job is claimed again once its lease expires, and completes", async () => {
    const { queue } = await setup();
    const jobId = await queue();
    const crashed = await claimNextJob("crashed-worker");
    expect(crashed).toMatchObject({ id: jobId, status: "PROCESSING", leaseOwner: "crashed-worker", attempts: 1 });
    // While the lease holds, nobody else takes it.
    expect(await drainJobs("other-worker")).toEqual([]);

    await prisma.exportJob.update({ where: { id: jobId }, data: { leaseExpiresAt: new Date(Date.now() - 1_000) } });
    expect(await drainJobs("rescuer")).toEqual(["completed"]);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ status: "COMPLETED", attempts: 2, leaseOwner: null });
    expect(await storage().exists(job.fileKey!)).toBe(true);
    // The crashed worker cannot finish it afterwards: its lease is gone.
    expect(await runClaimedJob(crashed!, "crashed-worker")).toBe("lost");
    expect(await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ status: "COMPLETED", checksum: job.checksum, fileKey: job.fileKey });
    expect(await storage().exists(job.fileKey!)).toBe(true);
    expect(createHash("sha256").update(await readAll(await storage().get(job.fileKey!))).digest("hex")).toBe(job.checksum);
    expect(await prisma.exportAuditLog.count({ where: { exportJobId: jobId, action: "export_completed" } })).toBe(1);
    expect(LEASE_MS).toBeGreaterThan(0);
  });

  it("two concurrent claimers never get the same job", async () => {
    const { queue } = await setup();
    const ids = [];
    for (let n = 0; n < 8; n++) ids.push(await queue());

    const claimedBy = new Map<string, string[]>();
    const claimer = async (workerId: string) => {
      for (;;) {
        const job = await claimNextJob(workerId);
        if (!job) return;
        claimedBy.set(job.id, [...(claimedBy.get(job.id) ?? []), workerId]);
      }
    };
    await Promise.all([claimer("worker-a"), claimer("worker-b"), claimer("worker-c")]);

    expect([...claimedBy.keys()].sort()).toEqual([...ids].sort());
    for (const [, workers] of claimedBy) expect(workers).toHaveLength(1);
    const rows = await prisma.exportJob.findMany({ where: { id: { in: ids } } });
    expect(rows.every((row) => row.status === "PROCESSING" && row.attempts === 1 && claimedBy.get(row.id)![0] === row.leaseOwner)).toBe(true);
  });
});

describe("job system: files", () => {
  it("the stored file is encrypted at rest and its checksum is verified", async () => {
    const { queue, actor, patient } = await setup();
    const jobId = await queue();
    expect(await drainJobs()).toEqual(["completed"]);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    const diskPath = path.join(env().STORAGE_DIR, job.fileKey!);
    const raw = readFileSync(diskPath);

    const response = await downloadExportAsActor(actor, jobId, "session", META);
    const plaintext = Buffer.from(await response.arrayBuffer());
    expect(JSON.parse(plaintext.toString("utf8")).patient.family_name).toBe(patient.familyName);
    // On disk: CEX1 header, IV, ciphertext, tag; none of the plaintext.
    expect(raw.subarray(0, 4).toString("latin1")).toBe("CEX1");
    expect(raw.length).toBe(plaintext.length + 4 + 12 + 16);
    expect(raw.includes(Buffer.from(patient.familyName))).toBe(false);
    expect(raw.includes(Buffer.from('"export_type"'))).toBe(false);
    // The recorded checksum is the plaintext's SHA-256, served with the file and audited.
    const sha256 = createHash("sha256").update(plaintext).digest("hex");
    expect(job.checksum).toBe(sha256);
    expect(job.fileSize).toBe(plaintext.length);
    expect(response.headers.get("x-content-sha256")).toBe(sha256);
    const completed = await prisma.exportAuditLog.findFirstOrThrow({ where: { exportJobId: jobId, action: "export_completed" } });
    expect(JSON.stringify(completed.metadata)).toContain(sha256);

    // A flipped byte on disk is caught by the authentication tag: reading fails, nothing is served.
    const tampered = Buffer.from(raw);
    tampered[40] = tampered[40]! ^ 0xff;
    writeFileSync(diskPath, tampered);
    await expect(readAll(await storage().get(job.fileKey!))).rejects.toThrow();
  });

  it("the sweeper deletes expired files and marks the job EXPIRED, audited", async () => {
    const { queue, actor } = await setup();
    const expiring = await queue();
    const fresh = await queue();
    expect(await drainJobs()).toEqual(["completed", "completed"]);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: expiring } });
    expect(job.expiresAt!.getTime()).toBeGreaterThan(Date.now());
    const diskPath = path.join(env().STORAGE_DIR, job.fileKey!);
    expect(existsSync(diskPath)).toBe(true);

    expect(await sweepExpiredFiles()).toBe(0);
    await prisma.exportJob.update({ where: { id: expiring }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    expect(await sweepExpiredFiles()).toBe(1);

    expect(await prisma.exportJob.findUniqueOrThrow({ where: { id: expiring } })).toMatchObject({ status: "EXPIRED", fileKey: null });
    expect(existsSync(diskPath)).toBe(false);
    expect(await prisma.exportJob.findUniqueOrThrow({ where: { id: fresh } })).toMatchObject({ status: "COMPLETED" });
    const audits = await prisma.exportAuditLog.findMany({ where: { exportJobId: expiring, action: "expired" } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorLabel: "sweeper" });
    await expect(downloadExportAsActor(actor, expiring, "session", META)).rejects.toMatchObject({ code: "GONE" });
    expect(await sweepExpiredFiles()).toBe(0);
  });
});
