// Issue 17 item 8: what is accepted must be able to run. Dates outside 1900-01-01 .. 2100-12-31,
// or that do not exist, are a 400 where they are given (not a job failing three times later), and
// a schedule's parameters hold only what its kind of export takes (no 900 KB of junk stored).
import { describe, expect, it } from "vitest";

import { GET as auditRoute } from "@/app/api/v1/audit/route";
import { POST as fullRecordRoute } from "@/app/api/v1/export/full-record/route";
import { POST as progressReportRoute } from "@/app/api/v1/export/progress-report/route";
import { PATCH as patchScheduleRoute } from "@/app/api/v1/export/scheduled/[id]/route";
import { POST as createScheduleRoute } from "@/app/api/v1/export/scheduled/route";
import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { progressReportSchedule, therapistWithPatient } from "./schedule-helpers";

const SCHEDULES = "/api/v1/export/scheduled";

describe("dates are bounded where they are accepted", () => {
  it("refuses report periods outside 1900..2100 or not in the calendar, naming the field, and queues nothing", async () => {
    const { user, patient } = await therapistWithPatient();
    const token = await tokenFor(user.id);
    const cases: [Record<string, string>, string, string][] = [
      [{ start_date: "0000-01-01", end_date: "2026-01-31" }, "start_date", "must be between 1900-01-01 and 2100-12-31"],
      [{ start_date: "2026-01-01", end_date: "9999-12-31" }, "end_date", "must be between 1900-01-01 and 2100-12-31"],
      [{ start_date: "2026-02-30", end_date: "2026-03-31" }, "start_date", "is not a real calendar date"],
    ];
    for (const [dates, path, message] of cases) {
      const response = await call(progressReportRoute, { path: "/api/v1/export/progress-report", token, body: { patient_id: patient.id, format: "json", ...dates } });
      expect(response.status, JSON.stringify(dates)).toBe(400);
      expect(response.json.issues).toEqual([{ path, message }]);
    }
    const fullRecord = await call(fullRecordRoute, { path: "/api/v1/export/full-record", token, body: { patient_id: patient.id, format: "json", date_range: { start: "1899-12-31", end: "2026-01-01" } } });
    expect(fullRecord.status).toBe(400);
    expect(fullRecord.json.issues).toEqual([{ path: "date_range.start", message: "must be between 1900-01-01 and 2100-12-31" }]);
    expect(await prisma.exportJob.count({ where: { userId: user.id } })).toBe(0);

    // The edges themselves are fine.
    const edges = await call(progressReportRoute, { path: "/api/v1/export/progress-report", token, body: { patient_id: patient.id, format: "json", start_date: "1900-01-01", end_date: "2100-12-31" } });
    expect(edges.status).toBe(202);
  });

  it("refuses audit filters that are not real dates (from=2026-02-30) or out of range", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const cases: [string, string, string][] = [
      ["from=2026-02-30", "from", "is not a real calendar date"],
      ["to=2026-04-31T10:00:00Z", "to", "is not a real calendar date"],
      ["from=0001-01-01", "from", "must be between 1900-01-01 and 2100-12-31"],
      ["to=9999-12-31", "to", "must be between 1900-01-01 and 2100-12-31"],
    ];
    for (const [query, path, message] of cases) {
      const response = await call(auditRoute, { path: `/api/v1/audit?${query}`, token });
      expect(response.status, query).toBe(400);
      expect(response.json.issues, query).toEqual([{ path, message }]);
    }
    expect((await call(auditRoute, { path: "/api/v1/audit?from=2026-02-28&to=2026-03-01T12:00:00Z", token })).status).toBe(200);
  });
});

describe("schedule parameters are a strict schema per kind", () => {
  it("refuses names a progress-report schedule does not take, and stores nothing", async () => {
    const { user, patient } = await therapistWithPatient();
    const token = await tokenFor(user.id);
    const junk = Object.fromEntries(Array.from({ length: 2000 }, (_, index) => [`junk_${index}`, "x".repeat(400)]));
    const refused = await call(createScheduleRoute, { path: SCHEDULES, token, body: progressReportSchedule(patient.id, { parameters: { format: "pdf", ...junk } }) });
    expect(refused.status).toBe(400);
    expect((refused.json.issues as { path: string; message: string }[])[0]).toEqual({
      path: "parameters.junk_0",
      message: expect.stringMatching(/^is not a parameter of progress_report schedules \(known: period, email_attach_file, delivery_mode, format, include_sections, options\)$/),
    });

    const moved = await call(createScheduleRoute, { path: SCHEDULES, token, body: progressReportSchedule(patient.id, { parameters: { period: "previous_month", start_date: "2026-01-01" } }) });
    expect(moved.status).toBe(400);
    expect(moved.json.issues).toEqual([{ path: "parameters.start_date", message: "is set by the schedule itself, not by its parameters" }]);
    expect(await prisma.scheduledReport.count({ where: { userId: user.id } })).toBe(0);
  });

  it("stores only what the report reads, nested objects included; a PATCH is held to the same rule", async () => {
    const { user, patient } = await therapistWithPatient();
    const token = await tokenFor(user.id);
    const parameters = { period: "previous_month", format: "json", options: { include_transcript: true, smuggled: "x".repeat(1000) }, include_sections: { diagnosis: false } };
    const created = await call(createScheduleRoute, { path: SCHEDULES, token, body: progressReportSchedule(patient.id, { parameters }) });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const stored = (await prisma.scheduledReport.findUniqueOrThrow({ where: { id } })).parameters as Record<string, Record<string, unknown>>;
    expect(Object.keys(stored).sort()).toEqual(["format", "include_sections", "options", "period"]);
    expect(stored.options).not.toHaveProperty("smuggled");
    expect(stored.options!.include_transcript).toBe(true);
    expect(stored.include_sections!.diagnosis).toBe(false);

    const patch = (body: unknown) => call(patchScheduleRoute, { method: "PATCH", path: `${SCHEDULES}/${id}`, token, body, params: { id } });
    const refused = await patch({ parameters: { period: "previous_month", notes: "x" } });
    expect(refused.status).toBe(400);
    expect(refused.json.issues).toEqual([{ path: "parameters.notes", message: expect.stringMatching(/^is not a parameter of progress_report schedules/) }]);
    expect((await patch({ parameters: { period: "previous_7_days", email_attach_file: "yes" } })).json.issues).toEqual([{ path: "parameters.email_attach_file", message: "must be true or false" }]);
    const edited = await patch({ parameters: { period: "previous_7_days" } });
    expect(edited.status).toBe(200);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id } })).parameters).toEqual({ period: "previous_7_days" });
  });

  it("gives a dataset schedule only email_attach_file", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(analyst.id);
    const body = { dataset_export: { tier: "anon" }, schedule_type: "daily", schedule_config: { time: "08:00", timezone: "UTC" }, delivery_method: "storage" };
    const refused = await call(createScheduleRoute, { path: SCHEDULES, token, body: { ...body, parameters: { period: "previous_day", tier: "pii" } } });
    expect(refused.status).toBe(400);
    expect((refused.json.issues as { path: string }[]).map((issue) => issue.path)).toEqual(["parameters.period", "parameters.tier"]);
    const created = await call(createScheduleRoute, { path: SCHEDULES, token, body: { ...body, parameters: { email_attach_file: false } } });
    expect(created.status).toBe(201);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id: created.json.id as string } })).parameters).toEqual({ email_attach_file: false });
  });
});
