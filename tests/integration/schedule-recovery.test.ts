// Runs a stopped process left behind, made directly in the database: a job that ended without its
// delivery queued, and a delivery job whose worker stopped half-way (its lease runs out and the job
// system hands it to another worker). Two ticks at once queue each missing delivery exactly once.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { beforeEach, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { claimNextJob } from "@/lib/jobs/claim-job";
import { DELIVERY_JOB_KIND } from "@/lib/jobs/definitions/delivery";
import { runClaimedJob } from "@/lib/jobs/run-job";
import { deliveryBaseDir } from "@/lib/schedules/deliver-scheduled-job";
import { patientFilePseudonym } from "@/lib/schedules/delivered-file-name";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";

import { completeJobQueueingDelivery, completeJobWithoutHooks, progressReportSchedule, runDeliveries, runsOf, therapistWithPatient } from "./schedule-helpers";

const at = (iso: string) => new Date(iso);
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const PDF = Buffer.from("%PDF-1.4\n% a report a restart nearly lost\n");

beforeEach(async () => {
  await prisma.scheduledReport.updateMany({ data: { isActive: false, pausedReason: "test isolation" } });
});

/** A storage schedule with one run claimed and its job queued; `folder` keeps each test's files apart. */
async function queuedRun(folder: string) {
  const { actor, patient } = await therapistWithPatient();
  const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_target: folder }), { now: at("2026-11-30T12:00:00Z") });
  const tick = await runSchedulerTick(at("2026-12-01T08:00:00Z"));
  const started = tick.runs.find((r) => r.scheduleId === schedule.id)!;
  expect(started.status).toBe("queued");
  const dir = path.join(deliveryBaseDir(), folder, "2026", "12", "01");
  const name = `progress_report_${patientFilePseudonym(patient.id)}_2026-12-01.pdf`;

  return { schedule, runId: started.runId, jobId: started.jobId!, dir, name };
}

/** Two instances ticking at the same moment, with nothing due. */
async function twoTicks() {
  const ticks = await Promise.all([runSchedulerTick(at("2026-12-01T09:00:00Z")), runSchedulerTick(at("2026-12-01T09:00:00Z"))]);

  return ticks.flatMap((tick) => tick.recovered);
}

const deliveryAudits = (scheduleId: string) => prisma.exportAuditLog.findMany({ where: { scheduleId, action: { in: ["delivery_succeeded", "delivery_failed"] } } });

const completeWithDeliveryQueued = (jobId: string, at?: Date) => completeJobQueueingDelivery(jobId, PDF, at);

/** A worker claims the delivery job and then stops (killed): its lease is left to run out. */
async function claimAndAbandon(workerId: string) {
  const claimed = await claimNextJob(workerId, new Date(), { kinds: [DELIVERY_JOB_KIND] });
  expect(claimed?.kind).toBe(DELIVERY_JOB_KIND);
  await prisma.exportJob.update({ where: { id: claimed!.id }, data: { leaseExpiresAt: minutesAgo(1) } });

  return claimed!;
}

describe("runs a restart left behind", () => {
  it("queues, once, the delivery of a run whose job completed without one, and delivers it", async () => {
    const { schedule, runId, jobId, dir, name } = await queuedRun("recover-queued");
    await completeJobWithoutHooks(jobId, PDF, { at: minutesAgo(10) });
    const recovered = await twoTicks();

    expect(recovered).toEqual([{ runId, scheduleId: schedule.id, deliveryJobId: expect.any(String) }]);
    expect(await prisma.exportJob.count({ where: { kind: DELIVERY_JOB_KIND, scheduledReportId: schedule.id } })).toBe(1);
    expect(await runDeliveries()).toEqual(["completed"]);
    const [run] = await runsOf(schedule.id);
    expect(run!.status).toBe("delivered");
    expect(await readdir(dir)).toEqual([name]);
    expect(await readFile(path.join(dir, name))).toEqual(PDF);
    const audits = await deliveryAudits(schedule.id);
    expect(audits.map((a) => a.action)).toEqual(["delivery_succeeded"]);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } })).lastStatus).toBe("delivered");
    // Nothing is left for a later tick.
    expect(await twoTicks()).toEqual([]);
  });

  it("takes over a delivery the pre-job code was making when the server was upgraded", async () => {
    const { schedule, runId, jobId, dir, name } = await queuedRun("recover-upgrade");
    await completeJobWithoutHooks(jobId, PDF, { at: minutesAgo(45) });
    // The old delivery's own lease mark: no delivery job exists for it.
    await prisma.scheduleRun.update({ where: { id: runId }, data: { status: "running", claimedAt: minutesAgo(40), deliveryLog: { phase: "delivering", claims: 1 } } });

    expect(await twoTicks()).toEqual([{ runId, scheduleId: schedule.id, deliveryJobId: expect.any(String) }]);
    expect(await runDeliveries()).toEqual(["completed"]);

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("delivered");
    expect(run.deliveryLog).toMatchObject({ resumedAfterInterruption: true });
    expect(await readdir(dir)).toEqual([name]);
    expect(await twoTicks()).toEqual([]);
  });

  it("leaves a run whose delivery is queued alone", async () => {
    const { jobId } = await queuedRun("recover-already-queued");
    await completeWithDeliveryQueued(jobId);
    expect(await twoTicks()).toEqual([]);
    expect(await runDeliveries()).toEqual(["completed"]);
  });

  it("fails, visibly and once, a run whose job failed without its delivery queued", async () => {
    const { schedule, runId, jobId } = await queuedRun("recover-failed");
    await prisma.exportJob.update({ where: { id: jobId }, data: { status: "FAILED", errorMessage: "The renderer ran out of memory.", completedAt: minutesAgo(10), updatedAt: minutesAgo(10) } });

    expect(await twoTicks()).toEqual([{ runId, scheduleId: schedule.id, deliveryJobId: expect.any(String) }]);
    expect(await runDeliveries()).toEqual(["completed"]);

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("failed");
    expect(run.error).toBe("The renderer ran out of memory.");
    expect(run.deliveryLog).toBeNull();
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } })).consecutiveFailures).toBe(1);
  });

  it("finishes, once, a delivery job whose worker stopped after the file arrived, without a second copy", async () => {
    const { schedule, runId, jobId, dir, name } = await queuedRun("recover-running");
    await completeWithDeliveryQueued(jobId, minutesAgo(45));
    // The first worker took the delivery, marked the run and wrote the file, then stopped.
    await claimAndAbandon("stopped-worker");
    await prisma.scheduleRun.update({ where: { id: runId }, data: { status: "running", deliveryLog: { phase: "delivering", attempt: 1, sending: [], sent: {} } } });
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, name), PDF);

    expect(await runDeliveries()).toEqual(["completed"]);

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("delivered");
    expect(run.deliveryLog).toMatchObject({ path: `recover-running/2026/12/01/${name}`, alreadyPresent: true, resumedAfterInterruption: true });
    expect(await readdir(dir)).toEqual([name]);
    expect((await deliveryAudits(schedule.id)).map((a) => a.action)).toEqual(["delivery_succeeded"]);
    const delivery = await prisma.exportJob.findFirstOrThrow({ where: { kind: DELIVERY_JOB_KIND, scheduledReportId: schedule.id } });
    expect(delivery).toMatchObject({ status: "COMPLETED", attempts: 2 });
  });

  it("leaves a delivery job inside its lease alone", async () => {
    const { runId, jobId } = await queuedRun("recover-in-lease");
    await completeWithDeliveryQueued(jobId, minutesAgo(45));
    expect(await claimNextJob("busy-worker", new Date(), { kinds: [DELIVERY_JOB_KIND] })).not.toBeNull();

    expect(await runDeliveries()).toEqual([]);
    expect(await twoTicks()).toEqual([]);
    expect((await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("queued");
  });

  it("fails the run visibly, and audits it, when the delivery is interrupted on every attempt", async () => {
    const { schedule, runId, jobId, dir } = await queuedRun("recover-every-time");
    const queued = await completeWithDeliveryQueued(jobId, minutesAgo(90));
    for (let attempt = 1; attempt <= queued.maxAttempts; attempt++) await claimAndAbandon(`stopped-worker-${attempt}`);

    expect(await runDeliveries()).toEqual(["failed"]);

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/interrupted or failed 3 times and was given up/);
    expect(run.deliveryLog).toMatchObject({ ok: false, attempts: 4 });
    const audits = await deliveryAudits(schedule.id);
    expect(audits.map((a) => a.action)).toEqual(["delivery_failed"]);
    expect(audits[0]!.metadata).toMatchObject({ runId, method: "storage" });
    expect((await prisma.exportJob.findUniqueOrThrow({ where: { id: queued.id } })).status).toBe("FAILED");
    await expect(readdir(dir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("does not let a worker that lost the delivery job to another record anything", async () => {
    const { schedule, runId, jobId } = await queuedRun("recover-lost-lease");
    await completeWithDeliveryQueued(jobId);
    const lost = await claimAndAbandon("slow-worker");
    expect(await runDeliveries()).toEqual(["completed"]);

    // The first worker wakes up and carries on with its (stale) claim.
    expect(await runClaimedJob(lost, "slow-worker")).toBe("lost");

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("delivered");
    expect((await deliveryAudits(schedule.id)).map((a) => a.action)).toEqual(["delivery_succeeded"]);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } })).consecutiveFailures).toBe(0);
  });
});
