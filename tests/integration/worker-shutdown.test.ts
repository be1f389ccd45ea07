// `npm run worker` receiving SIGTERM in the middle of a job: it stops claiming at once, lets the
// running job finish within SHUTDOWN_GRACE_SECONDS, or else releases its lease so another worker
// takes the job straight away; then it exits 0. The job is held mid-write for real: the worker's
// storage is an S3 server (s3rver) behind a proxy that holds requests until the test lets go.
import { type ChildProcess, spawn } from "node:child_process";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { drainJobs } from "@/lib/jobs/runner";
import { createReportExport } from "@/lib/reports/create-report-export";
import { seedReportPatient } from "@/lib/reports/testing/seed-report-patient";

import { createUser } from "../setup/fixtures";
import { startHoldingProxy } from "../setup/holding-proxy";
import { overrideEnv, startS3Server, type TS3TestServer } from "../setup/s3-server";

let s3: TS3TestServer;

beforeAll(async () => {
  s3 = await startS3Server("careexport-shutdown");
});

afterAll(async () => {
  await s3.stop();
});

async function queueReport() {
  const { user, actor } = await createUser({ role: "THERAPIST" });
  const { patient } = await seedReportPatient({ assignedTo: user.id });
  const created = await createReportExport(actor, { exportType: "progress_report", body: { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" } });

  return created.job_id;
}

type TWorker = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** The real `npm run worker`, its storage pointed at `endpoint`. */
async function startWorker(endpoint: string, graceSeconds: number): Promise<TWorker> {
  const child = spawn("npm", ["run", "--silent", "worker", "--", "--concurrency", "1"], {
    env: { ...process.env, ...s3.env, S3_ENDPOINT: endpoint, SHUTDOWN_GRACE_SECONDS: String(graceSeconds), NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await waitFor(() => output.includes("running with"), () => `the worker did not start:\n${output}`);

  return { child, output: () => output, exited };
}

async function waitFor(condition: () => boolean | Promise<boolean>, message: () => string, timeoutMs = 45_000) {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The job's own file upload (not the worker's periodic sweeps, which list the bucket). */
const writesFileOf = (jobId: string) => (request: { method: string; url: string }) => request.method === "PUT" && request.url.includes(jobId);

const jobRow = (id: string) => prisma.exportJob.findUniqueOrThrow({ where: { id } });

describe("worker graceful shutdown", () => {
  it("finishes the job it is running within the grace period, claims nothing more, and exits 0", async () => {
    const proxy = await startHoldingProxy(s3.endpoint);
    const worker = await startWorker(proxy.endpoint, 60);
    try {
      const running = await queueReport();
      await proxy.waitForHeldRequest(writesFileOf(running));
      const waiting = await queueReport();
      const claimed = await jobRow(running);
      expect(claimed).toMatchObject({ status: "PROCESSING", attempts: 1 });

      worker.child.kill("SIGTERM");
      await waitFor(() => worker.output().includes("SIGTERM received"), () => `no shutdown began:\n${worker.output()}`);
      // Still running its job (the write is held), and not exiting without it.
      expect(worker.child.exitCode).toBeNull();
      expect(await jobRow(running)).toMatchObject({ status: "PROCESSING", leaseOwner: claimed.leaseOwner });

      proxy.release();
      expect(await worker.exited).toBe(0);
      expect(await jobRow(running)).toMatchObject({ status: "COMPLETED", attempts: 1, leaseOwner: null });
      // Queued after the signal's worker took its one slot: never claimed by the stopping worker.
      expect(await jobRow(waiting)).toMatchObject({ status: "PENDING", attempts: 0, leaseOwner: null });
      expect(worker.output()).toContain('"releasedJobs":0');
    } finally {
      worker.child.kill("SIGKILL");
      await proxy.stop();
    }
  });

  it("releases the lease of a job that outlasts the grace period, exits 0, and another worker completes the job at once", async () => {
    await prisma.exportJob.updateMany({ where: { status: "PENDING" }, data: { status: "CANCELLED" } });
    const proxy = await startHoldingProxy(s3.endpoint);
    const worker = await startWorker(proxy.endpoint, 2);
    try {
      const jobId = await queueReport();
      await proxy.waitForHeldRequest(writesFileOf(jobId));
      expect(await jobRow(jobId)).toMatchObject({ status: "PROCESSING", attempts: 1 });

      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
      expect(worker.output()).toContain('"releasedJobs":1');
      const released = await jobRow(jobId);
      expect(released).toMatchObject({ status: "PENDING", attempts: 0, leaseOwner: null, leaseExpiresAt: null });
      expect(released.runAfter.getTime()).toBeLessThanOrEqual(Date.now());

      // Another worker (this process, on the same bucket) takes it without waiting for a lease to lapse.
      const restore = overrideEnv(s3.env);
      try {
        expect(await drainJobs("successor")).toEqual(["completed"]);
      } finally {
        restore();
      }
      expect(await jobRow(jobId)).toMatchObject({ status: "COMPLETED", attempts: 1 });
      expect(await prisma.exportAuditLog.count({ where: { exportJobId: jobId, action: "export_completed" } })).toBe(1);
    } finally {
      worker.child.kill("SIGKILL");
      await proxy.stop();
    }
  });
});
