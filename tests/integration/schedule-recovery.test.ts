// Runs a stopped process left behind, made directly in the database: a job that finished
// without its delivery hook running, and a delivery interrupted half-way. Two ticks at once
// must finish each such run exactly once.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { beforeEach, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { deliveryBaseDir } from "@/lib/schedules/deliver-scheduled-job";
import { patientFilePseudonym } from "@/lib/schedules/delivered-file-name";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { recordRunFailed, recordRunSucceeded } from "@/lib/schedules/record-run-outcome";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";

import { completeJobWithoutHooks, progressReportSchedule, runsOf, therapistWithPatient } from "./schedule-helpers";

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

describe("runs a restart left behind", () => {
  it("delivers, once, a run whose job completed but whose delivery hook never ran", async () => {
    const { schedule, runId, jobId, dir, name } = await queuedRun("recover-queued");
    // Just completed: the hook may still be on its way, so the tick leaves it alone.
    await completeJobWithoutHooks(jobId, PDF);
    expect(await twoTicks()).toEqual([]);
    expect((await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("queued");

    await completeJobWithoutHooks(jobId, PDF, { at: minutesAgo(10) });
    const recovered = await twoTicks();

    expect(recovered).toEqual([{ runId, scheduleId: schedule.id, was: "queued" }]);
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

  it("fails, visibly and once, a run whose job failed but whose hook never ran", async () => {
    const { schedule, runId, jobId } = await queuedRun("recover-failed");
    await prisma.exportJob.update({ where: { id: jobId }, data: { status: "FAILED", errorMessage: "The renderer ran out of memory.", completedAt: minutesAgo(10), updatedAt: minutesAgo(10) } });

    expect(await twoTicks()).toEqual([{ runId, scheduleId: schedule.id, was: "queued" }]);

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("failed");
    expect(run.error).toBe("The renderer ran out of memory.");
    expect(run.deliveryLog).toBeNull();
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } })).consecutiveFailures).toBe(1);
  });

  it("finishes, once, a delivery interrupted past its lease, without a second copy of a file that already arrived", async () => {
    const { schedule, runId, jobId, dir, name } = await queuedRun("recover-running");
    await completeJobWithoutHooks(jobId, PDF, { at: minutesAgo(45) });
    // The delivery took the run 40 minutes ago and wrote the file, then the process stopped.
    await prisma.scheduleRun.update({ where: { id: runId }, data: { status: "running", claimedAt: minutesAgo(40), deliveryLog: { phase: "delivering", claims: 1 } } });
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, name), PDF);

    expect(await twoTicks()).toEqual([{ runId, scheduleId: schedule.id, was: "running" }]);

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("delivered");
    expect(run.deliveryLog).toMatchObject({ path: `recover-running/2026/12/01/${name}`, alreadyPresent: true, resumedAfterInterruption: true });
    expect(await readdir(dir)).toEqual([name]);
    expect((await deliveryAudits(schedule.id)).map((a) => a.action)).toEqual(["delivery_succeeded"]);
  });

  it("leaves a delivery inside its lease alone", async () => {
    const { runId, jobId } = await queuedRun("recover-in-lease");
    await completeJobWithoutHooks(jobId, PDF, { at: minutesAgo(45) });
    await prisma.scheduleRun.update({ where: { id: runId }, data: { status: "running", claimedAt: minutesAgo(5), deliveryLog: { phase: "delivering", claims: 1 } } });

    expect(await twoTicks()).toEqual([]);
    expect((await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("running");
  });

  it("fails, rather than retries again, a delivery interrupted twice", async () => {
    const { schedule, runId, jobId, dir } = await queuedRun("recover-twice");
    await completeJobWithoutHooks(jobId, PDF, { at: minutesAgo(90) });
    await prisma.scheduleRun.update({ where: { id: runId }, data: { status: "running", claimedAt: minutesAgo(40), deliveryLog: { phase: "delivering", claims: 2 } } });

    expect(await twoTicks()).toEqual([{ runId, scheduleId: schedule.id, was: "running" }]);

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/interrupted 2 times/);
    expect(run.deliveryLog).toMatchObject({ ok: false, interrupted: 2 });
    expect((await deliveryAudits(schedule.id)).map((a) => a.action)).toEqual(["delivery_failed"]);
    await expect(readdir(dir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("does not let a delivery that lost its run to a takeover write the outcome", async () => {
    const { schedule, runId } = await queuedRun("recover-lost-lease");
    const stale = minutesAgo(40);
    await prisma.scheduleRun.update({ where: { id: runId }, data: { status: "running", claimedAt: new Date() } });

    expect(await recordRunSucceeded(runId, schedule.id, { owned: { claimedAt: stale }, deliveryLog: { ok: true } })).toBe(false);
    await recordRunFailed(runId, schedule.id, "late failure", { owned: { claimedAt: stale } });

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("running");
    expect(run.error).toBeNull();
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } })).consecutiveFailures).toBe(0);
  });
});
