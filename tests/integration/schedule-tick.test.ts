// The scheduler tick against a real database: exactly-once claims under concurrent ticks,
// coalescing after downtime, DST, relative periods, failure pausing and run-time permissions.
import { beforeEach, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";

import { createUser } from "../setup/fixtures";
import { completeJob, failJob, progressReportSchedule, runsOf, therapistWithPatient } from "./schedule-helpers";

const at = (iso: string) => new Date(iso);

describe("scheduler tick", () => {
  // One database per file: earlier tests' schedules must not take part in later ticks.
  beforeEach(async () => {
    await prisma.scheduledReport.updateMany({ data: { isActive: false, pausedReason: "test isolation" } });
  });

  it("claims each due run exactly once when several ticks run at the same moment", async () => {
    const { actor, patient } = await therapistWithPatient();
    const created = [];
    for (let i = 0; i < 3; i++) {
      created.push(await createSchedule(actor, progressReportSchedule(patient.id), { now: at("2026-12-01T07:00:00Z") }));
    }

    const results = await Promise.all(Array.from({ length: 4 }, () => runSchedulerTick(at("2026-12-01T08:00:00Z"))));

    expect(results.flatMap((result) => result.runs)).toHaveLength(3);
    for (const schedule of created) {
      const runs = await runsOf(schedule.id);
      expect(runs).toHaveLength(1);
      expect(runs[0]!.scheduledFor.toISOString()).toBe("2026-12-01T08:00:00.000Z");
      expect(await prisma.exportJob.count({ where: { scheduledReportId: schedule.id } })).toBe(1);
      const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
      expect(row.nextRunAt?.toISOString()).toBe("2026-12-02T08:00:00.000Z");
    }
    // A later tick in the same slot finds nothing more to do.
    expect((await runSchedulerTick(at("2026-12-01T08:00:30Z"))).runs).toHaveLength(0);
    expect(await prisma.exportAuditLog.count({ where: { action: "schedule_run", scheduleId: created[0]!.id } })).toBe(1);
  });

  it("runs once for the latest slot after downtime and records the folded slots", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id), { now: at("2026-11-01T00:00:00Z") });
    expect(schedule.next_run_at).toBe("2026-11-01T08:00:00.000Z");

    const result = await runSchedulerTick(at("2026-11-05T09:00:00Z"));

    const runs = await runsOf(schedule.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.scheduledFor.toISOString()).toBe("2026-11-05T08:00:00.000Z");
    expect(runs[0]!.missedRuns).toBe(4);
    expect(runs[0]!.note).toMatch(/4 missed runs folded/);
    expect(result.runs[0]!.foldedCount).toBe(4);
    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.nextRunAt?.toISOString()).toBe("2026-11-06T08:00:00.000Z");
  });

  it("runs a 02:30 schedule at 03:00 on the spring-forward day and the next day at 02:30 again", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { schedule_config: { time: "02:30", timezone: "America/New_York" } }), {
      now: at("2026-03-07T12:00:00Z"),
    });
    // 2026-03-08 02:30 does not exist in New York; 03:00 EDT is 07:00Z.
    expect(schedule.next_run_at).toBe("2026-03-08T07:00:00.000Z");
    expect((await runSchedulerTick(at("2026-03-08T06:59:00Z"))).runs).toHaveLength(0);
    expect((await runSchedulerTick(at("2026-03-08T07:00:00Z"))).runs).toHaveLength(1);

    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.nextRunAt?.toISOString()).toBe("2026-03-09T06:30:00.000Z");
    expect((await runsOf(schedule.id)).map((run) => run.scheduledFor.toISOString())).toEqual(["2026-03-08T07:00:00.000Z"]);
  });

  it("runs a 01:30 schedule once on the fall-back day although 01:30 happens twice", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { schedule_config: { time: "01:30", timezone: "America/New_York" } }), {
      now: at("2026-10-31T12:00:00Z"),
    });
    expect(schedule.next_run_at).toBe("2026-11-01T05:30:00.000Z"); // the first 01:30 (EDT)

    expect((await runSchedulerTick(at("2026-11-01T05:30:00Z"))).runs).toHaveLength(1);
    expect((await runSchedulerTick(at("2026-11-01T06:30:00Z"))).runs).toHaveLength(0); // the second 01:30 (EST)
    expect((await runSchedulerTick(at("2026-11-01T23:00:00Z"))).runs).toHaveLength(0);

    expect(await runsOf(schedule.id)).toHaveLength(1);
    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.nextRunAt?.toISOString()).toBe("2026-11-02T06:30:00.000Z");
  });

  it("resolves previous_month against the slot in the schedule's zone, even when the tick is late", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(
      actor,
      progressReportSchedule(patient.id, { schedule_type: "monthly", schedule_config: { time: "08:00", day_of_month: 1, timezone: "Europe/Berlin" }, parameters: { format: "pdf", period: "previous_month" } }),
      { now: at("2026-11-15T00:00:00Z") },
    );
    expect(schedule.next_run_at).toBe("2026-12-01T07:00:00.000Z");

    // The server was down for a day and a half; the run still reports November.
    await runSchedulerTick(at("2026-12-02T20:00:00Z"));

    const job = await prisma.exportJob.findFirstOrThrow({ where: { scheduledReportId: schedule.id } });
    const parameters = job.parameters as Record<string, unknown>;
    expect(parameters.start_date).toBe("2026-11-01");
    expect(parameters.end_date).toBe("2026-11-30");
    expect(parameters.patient_id).toBe(patient.id);
    expect(job.exportType).toBe("progress_report");
    expect(job.userId).toBe(actor.id);
  });

  it("pauses a schedule after three failed runs in a row, with the reason", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id), { now: at("2026-12-01T00:00:00Z") });

    for (const day of ["01", "02", "03"]) {
      const tick = await runSchedulerTick(at(`2026-12-${day}T08:00:00Z`));
      expect(tick.runs).toHaveLength(1);
      await failJob(tick.runs[0]!.jobId!, "Renderer exploded.");
    }

    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.isActive).toBe(false);
    expect(row.consecutiveFailures).toBe(3);
    expect(row.pausedReason).toMatch(/3 failed runs in a row.*Renderer exploded/);
    expect((await runsOf(schedule.id)).map((run) => run.status)).toEqual(["failed", "failed", "failed"]);
    expect((await runSchedulerTick(at("2026-12-04T08:00:00Z"))).runs).toHaveLength(0);
    expect(await prisma.exportAuditLog.count({ where: { action: "schedule_updated", scheduleId: schedule.id, actorLabel: "scheduler" } })).toBe(1);
  });

  it("does not pause after two failures followed by a success", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id), { now: at("2026-12-01T00:00:00Z") });
    for (const day of ["01", "02"]) {
      const tick = await runSchedulerTick(at(`2026-12-${day}T08:00:00Z`));
      await failJob(tick.runs[0]!.jobId!);
    }
    const third = await runSchedulerTick(at("2026-12-03T08:00:00Z"));
    await completeJob(third.runs[0]!.jobId!, Buffer.from("%PDF-1.4 test"));
    const fourth = await runSchedulerTick(at("2026-12-04T08:00:00Z"));
    await failJob(fourth.runs[0]!.jobId!);

    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.isActive).toBe(true);
    expect(row.consecutiveFailures).toBe(1);
  });

  it("pauses with the reason when the owner lost the patient's assignment, and starts no job", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id), { now: at("2026-12-01T00:00:00Z") });
    await prisma.patientAssignment.deleteMany({ where: { userId: actor.id, patientId: patient.id } });

    const tick = await runSchedulerTick(at("2026-12-01T08:00:00Z"));

    expect(tick.runs[0]!.status).toBe("skipped");
    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.isActive).toBe(false);
    expect(row.pausedReason).toMatch(/may no longer run this export.*not assigned/);
    expect(await prisma.exportJob.count({ where: { scheduledReportId: schedule.id } })).toBe(0);
    const denial = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "schedule_run", scheduleId: schedule.id } });
    expect(denial.outcome).toBe("denied");
  });

  it("pauses the schedule of a disabled user", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id), { now: at("2026-12-01T00:00:00Z") });
    await prisma.user.update({ where: { id: actor.id }, data: { isDisabled: true } });

    await runSchedulerTick(at("2026-12-01T08:00:00Z"));

    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.isActive).toBe(false);
    expect(row.pausedReason).toMatch(/disabled/);
    expect(await prisma.exportJob.count({ where: { scheduledReportId: schedule.id } })).toBe(0);
  });

  it("pauses an analyst's identified-tier schedule once the PII grant is withdrawn", async () => {
    const analyst = await createUser({ role: "ANALYST", piiAccess: true });
    const schedule = await createSchedule(
      analyst.actor,
      { dataset_export: { tier: "pii" }, schedule_type: "daily", schedule_config: { time: "02:00", timezone: "UTC" }, delivery_method: "storage" },
      { now: at("2026-12-01T00:00:00Z") },
    );
    await prisma.user.update({ where: { id: analyst.user.id }, data: { piiAccess: false } });

    await runSchedulerTick(at("2026-12-01T02:00:00Z"));

    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.isActive).toBe(false);
    expect(row.pausedReason).toMatch(/piiAccess/);
  });

  it("starts an analyst's nightly dataset export as an ordinary job recording the schedule", async () => {
    const analyst = await createUser({ role: "ANALYST" });
    const schedule = await createSchedule(
      analyst.actor,
      { dataset_export: { tier: "anon" }, schedule_type: "daily", schedule_config: { time: "02:00", timezone: "UTC" }, delivery_method: "storage" },
      { now: at("2026-12-01T00:00:00Z") },
    );
    await expect(
      createSchedule(analyst.actor, { dataset_export: { tier: "anon", datasets: ["no_such_dataset"] }, schedule_type: "daily", schedule_config: { time: "02:00" }, delivery_method: "storage" }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });

    // Two nights in a row: the hourly button limit does not apply to a schedule.
    for (const night of ["01", "02"]) {
      const tick = await runSchedulerTick(at(`2026-12-${night}T02:00:00Z`));
      expect(tick.runs).toMatchObject([{ scheduleId: schedule.id, status: "queued" }]);
    }
    const jobs = await prisma.exportJob.findMany({ where: { scheduledReportId: schedule.id } });
    expect(jobs).toHaveLength(2);
    expect(jobs.every((job) => job.kind === "dataset" && job.userId === analyst.user.id)).toBe(true);
    expect(jobs.every((job) => (job.parameters as { ageBandYears: unknown }).ageBandYears === null)).toBe(true);
  });

  it("carries a dataset schedule's age bands into each run's export, and refuses bands the export would refuse", async () => {
    const analyst = await createUser({ role: "ANALYST" });
    const schedule = await createSchedule(
      analyst.actor,
      { dataset_export: { tier: "anon", datasets: ["patient_anon"], age_band_years: 10 }, schedule_type: "daily", schedule_config: { time: "03:00", timezone: "UTC" }, delivery_method: "storage" },
      { now: at("2026-12-01T00:00:00Z") },
    );
    const tick = await runSchedulerTick(at("2026-12-01T03:00:00Z"));
    expect(tick.runs).toMatchObject([{ scheduleId: schedule.id, status: "queued" }]);
    const job = await prisma.exportJob.findFirstOrThrow({ where: { scheduledReportId: schedule.id } });
    expect(job.parameters).toMatchObject({ tier: "anon", datasets: ["patient_anon"], ageBandYears: 10 });

    const bad = { schedule_type: "daily", schedule_config: { time: "03:00" }, delivery_method: "storage" } as const;
    await expect(createSchedule(analyst.actor, { ...bad, dataset_export: { tier: "anon", age_band_years: 7 } } as never)).rejects.toMatchObject({ code: "INVALID_INPUT", issues: [expect.objectContaining({ path: "dataset_export.age_band_years" })] });
    const admin = await createUser({ role: "ADMIN" });
    await expect(createSchedule(admin.actor, { ...bad, dataset_export: { tier: "pii", age_band_years: 10 } })).rejects.toMatchObject({ code: "INVALID_INPUT", issues: [expect.objectContaining({ path: "dataset_export.age_band_years" })] });
  });

  it("fails, visibly, a claimed run whose export was never queued because the scheduler died", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id), { now: at("2026-12-01T00:00:00Z") });
    const orphan = await prisma.scheduleRun.create({
      data: { scheduleId: schedule.id, scheduledFor: at("2026-11-30T08:00:00Z"), status: "queued", claimedAt: new Date(Date.now() - 60 * 60_000) },
    });

    await Promise.all([runSchedulerTick(at("2026-12-01T07:00:00Z")), runSchedulerTick(at("2026-12-01T07:00:00Z"))]);

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: orphan.id } });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/interrupted/);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } })).consecutiveFailures).toBe(1);
  });
});
