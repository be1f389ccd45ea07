// The operator commands, run as real processes against this file's database: two
// `schedules:tick` processes at the same instant start each due run once, `--drain` runs the
// job and delivers its file, and `schedules:list` prints the next run in the schedule's zone.
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { deliveryBaseDir } from "@/lib/schedules/deliver-scheduled-job";
import { createSchedule } from "@/lib/schedules/create-schedule";

import { progressReportSchedule, runsOf, therapistWithPatient } from "./schedule-helpers";

const run = promisify(execFile);

function cli(...args: string[]) {
  return run(process.execPath, ["--import", "tsx", "cli/index.ts", ...args], { cwd: process.cwd(), env: process.env, timeout: 120_000 }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? "", stderr: error.stderr ?? "" }),
  );
}

describe("schedules CLI", () => {
  it("starts a due run once across two tick processes, delivers it with --drain, and lists schedules", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(
      actor,
      progressReportSchedule(patient.id, { schedule_type: "monthly", schedule_config: { time: "09:00", day_of_month: 1, timezone: "Europe/Berlin" }, parameters: { format: "json", period: "previous_month" } }),
      { now: new Date("2026-11-20T00:00:00Z") },
    );

    const [first, second] = await Promise.all([cli("schedules:tick", "--now", "2026-12-01T08:00:00Z"), cli("schedules:tick", "--now", "2026-12-01T08:00:00Z")]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const started = [first.stdout, second.stdout].filter((out) => out.includes(schedule.id));
    expect(started).toHaveLength(1);
    expect(await runsOf(schedule.id)).toHaveLength(1);
    expect(await prisma.exportJob.count({ where: { scheduledReportId: schedule.id } })).toBe(1);

    const drained = await cli("schedules:tick", "--now", "2026-12-01T08:00:10Z", "--drain");
    expect(drained.stderr).toBe("");
    // The export, then the delivery job its completion queued.
    expect(drained.stdout).toMatch(/Ran 2 job\(s\): completed, completed/);
    const [delivered] = await runsOf(schedule.id);
    expect(delivered!.status).toBe("delivered");
    const files = await readdir(path.join(deliveryBaseDir(), "2026", "12", "01"));
    expect(files).toEqual([expect.stringMatching(/^progress_report_P-[0-9a-f]{12}_2026-12-01\.json$/)]);

    const listed = await cli("schedules:list");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(schedule.id);
    expect(listed.stdout).toContain("Monthly on day 1 at 09:00 Europe/Berlin");
    expect(listed.stdout).toMatch(/next 2027-01-01 09:00 Europe\/Berlin/);
    expect(listed.stdout).toMatch(/last: delivered/);

    const bad = await cli("schedules:tick", "--now", "yesterday");
    expect(bad.code).toBe(2);
  });
});
