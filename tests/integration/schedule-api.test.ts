// The scheduled-export API: contract, validation, permissions at creation, pause / resume /
// edit / delete and their audit records.
import { describe, expect, it } from "vitest";

import { DELETE, GET as GET_ONE, PATCH } from "@/app/api/v1/export/scheduled/[id]/route";
import { GET, POST } from "@/app/api/v1/export/scheduled/route";
import { prisma } from "@/lib/db/client";

import { createPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { progressReportSchedule, therapistWithPatient } from "./schedule-helpers";

const PATH = "/api/v1/export/scheduled";

async function therapistClient() {
  const therapist = await therapistWithPatient();

  return { ...therapist, token: await tokenFor(therapist.user.id) };
}

describe("POST /api/v1/export/scheduled", () => {
  it("creates a monthly schedule for an assigned patient: 201 with next_run_at and a readable rule", async () => {
    const { token, patient, user } = await therapistClient();
    const body = progressReportSchedule(patient.id, {
      schedule_type: "monthly",
      schedule_config: { time: "08:00", day_of_month: 31, timezone: "Europe/Berlin" },
      parameters: { format: "pdf", period: "previous_month", include_sections: { diagnosis: false } },
    });

    const response = await call(POST, { path: PATH, token, body });

    expect(response.status).toBe(201);
    expect(response.json.next_run_at).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/));
    expect(response.json.next_run_local).toMatch(/ 08:00$/);
    expect(response.json.description).toMatch(/^Monthly on the last day at 08:00 Europe\/Berlin \(next run \d{4}-\d{2}-\d{2} 08:00\)$/);
    expect(response.json).toMatchObject({ schedule_type: "monthly", schedule_config: { time: "08:00", day_of_month: 31, timezone: "Europe/Berlin" }, delivery_method: "storage", is_active: true, owner_id: user.id });
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "schedule_created", scheduleId: response.json.id as string } });
    expect(audit.userId).toBe(user.id);
  });

  it("defaults the zone to the practice's and accepts a weekly rule", async () => {
    const { token, patient } = await therapistClient();
    const response = await call(POST, { path: PATH, token, body: progressReportSchedule(patient.id, { schedule_type: "weekly", schedule_config: { time: "07:30", day_of_week: 1 } }) });

    expect(response.status).toBe(201);
    expect(response.json.schedule_config).toMatchObject({ timezone: "America/New_York", day_of_week: 1 });
  });

  it.each([
    [{ schedule_type: "monthly", schedule_config: { time: "08:00" } }, "schedule_config.day_of_month"],
    [{ schedule_config: { time: "25:00" } }, "schedule_config.time"],
    [{ schedule_config: { time: "08:00", timezone: "Mars/Olympus" } }, "schedule_config.timezone"],
    [{ delivery_method: "fax" }, "delivery_method"],
    [{ delivery_method: "webhook", delivery_target: "http://example.org/hook" }, "delivery_target"],
    [{ delivery_method: "email", delivery_target: "someone-else@example.org" }, "delivery_target"],
    [{ parameters: { period: "last_fortnight" } }, "parameters.period"],
    [{ parameters: { format: "xls", period: "previous_month" } }, "parameters.format"],
  ])("refuses %j with a 400 naming %s", async (overrides, field) => {
    const { token, patient } = await therapistClient();
    const response = await call(POST, { path: PATH, token, body: progressReportSchedule(patient.id, overrides) });

    expect(response.status).toBe(400);
    expect((response.json.issues as { path: string }[]).map((issue) => issue.path)).toContain(field);
  });

  it("without parameters.period, a report covers the schedule's own interval, and says so; the default follows an edited rule", async () => {
    const { token, patient } = await therapistClient();
    const created = await call(POST, { path: PATH, token, body: progressReportSchedule(patient.id, { schedule_type: "weekly", schedule_config: { time: "07:30", day_of_week: 1 }, parameters: { format: "pdf" } }) });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ parameters: { format: "pdf" }, period: "previous_7_days", period_defaulted: true });

    const id = created.json.id as string;
    const edited = await call(PATCH, { method: "PATCH", path: `${PATH}/${id}`, token, body: { schedule_type: "daily", schedule_config: { time: "06:00" } }, params: { id } });
    expect(edited.json).toMatchObject({ period: "previous_day", period_defaulted: true });

    const given = await call(POST, { path: PATH, token, body: progressReportSchedule(patient.id) });
    expect(given.json).toMatchObject({ period: "previous_7_days", period_defaulted: false });
    const record = await call(POST, { path: PATH, token, body: progressReportSchedule(patient.id, { export_type: "full_record", parameters: { format: "json" } }) });
    expect(record.json).toMatchObject({ period: null, period_defaulted: false });
  });

  it("answers 404 for another therapist's patient and for a missing one, and audits the denial", async () => {
    const { token, user } = await therapistClient();
    const stranger = await createPatient();

    expect((await call(POST, { path: PATH, token, body: progressReportSchedule(stranger.id) })).status).toBe(404);
    expect((await call(POST, { path: PATH, token, body: progressReportSchedule("no-such-patient") })).status).toBe(404);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: user.id } })).toBe(2);
    expect(await prisma.scheduledReport.count({ where: { userId: user.id } })).toBe(0);
  });

  it("keeps practice-wide reports for admins, datasets for analysts with the right grant", async () => {
    const { token } = await therapistClient();
    const practiceWide = { ...progressReportSchedule("x"), patient_id: null };
    expect((await call(POST, { path: PATH, token, body: practiceWide })).status).toBe(403);

    const dataset = { dataset_export: { tier: "anon" }, schedule_type: "daily", schedule_config: { time: "02:00" }, delivery_method: "storage" };
    expect((await call(POST, { path: PATH, token, body: dataset })).status).toBe(403);

    const analyst = await createUser({ role: "ANALYST" });
    const analystToken = await tokenFor(analyst.user.id);
    expect((await call(POST, { path: PATH, token: analystToken, body: dataset })).status).toBe(201);
    expect((await call(POST, { path: PATH, token: analystToken, body: { ...dataset, dataset_export: { tier: "pii" } } })).status).toBe(403);
    const patient = await createPatient();
    expect((await call(POST, { path: PATH, token: analystToken, body: progressReportSchedule(patient.id) })).status).toBe(403);

    const admin = await createUser({ role: "ADMIN" });
    const adminToken = await tokenFor(admin.user.id);
    // Allowed by the policy: a practice-wide progress report runs as a batch over every patient (issue 22 part 6).
    const adminPracticeWide = await call(POST, { path: PATH, token: adminToken, body: practiceWide });
    expect(adminPracticeWide.status, adminPracticeWide.text).toBe(201);
    const notCombinable = await call(POST, { path: PATH, token: adminToken, body: { ...practiceWide, parameters: { format: "csv", combined: true } } });
    expect(notCombinable.status).toBe(400);
    expect((notCombinable.json.issues as { path: string }[]).map((issue) => issue.path)).toContain("parameters.combined");
  });
});

describe("GET / PATCH / DELETE", () => {
  it("lists own schedules (admins see all) with next run in the schedule's zone", async () => {
    const a = await therapistClient();
    const b = await therapistClient();
    const created = await call(POST, { path: PATH, token: a.token, body: progressReportSchedule(a.patient.id) });
    await call(POST, { path: PATH, token: b.token, body: progressReportSchedule(b.patient.id) });

    const own = await call(GET, { path: PATH, token: a.token });
    expect(own.status).toBe(200);
    const schedules = own.json.schedules as { id: string; owner_id: string; next_run_local: string; last_status: string | null }[];
    expect(schedules.every((s) => s.owner_id === a.user.id)).toBe(true);
    expect(schedules.map((s) => s.id)).toContain(created.json.id);
    expect(schedules[0]!.next_run_local).toMatch(/^\d{4}-\d{2}-\d{2} 08:00$/);

    const admin = await createUser({ role: "ADMIN" });
    const all = await call(GET, { path: PATH, token: await tokenFor(admin.user.id) });
    const owners = new Set((all.json.schedules as { owner_id: string }[]).map((s) => s.owner_id));
    expect(owners.has(a.user.id) && owners.has(b.user.id)).toBe(true);

    // Another therapist's schedule looks like a missing one.
    expect((await call(GET_ONE, { path: `${PATH}/${created.json.id}`, token: b.token, params: { id: created.json.id as string } })).status).toBe(404);
    expect((await call(GET_ONE, { path: `${PATH}/${created.json.id}`, token: a.token, params: { id: created.json.id as string } })).json.runs).toEqual([]);
  });

  it("pauses, resumes, edits and deletes, auditing each change", async () => {
    const { token, patient, user } = await therapistClient();
    const created = await call(POST, { path: PATH, token, body: progressReportSchedule(patient.id) });
    const id = created.json.id as string;
    const patch = (body: unknown) => call(PATCH, { method: "PATCH", path: `${PATH}/${id}`, token, body, params: { id } });

    const paused = await patch({ is_active: false });
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ is_active: false, next_run_at: null, paused_reason: "Paused by its owner" });

    const resumed = await patch({ is_active: true });
    expect(resumed.json).toMatchObject({ is_active: true, paused_reason: null });
    expect(resumed.json.next_run_at).toEqual(expect.any(String));

    const edited = await patch({ schedule_type: "weekly", schedule_config: { time: "06:15", day_of_week: 5, timezone: "Asia/Tokyo" } });
    expect(edited.json.description).toMatch(/^Weekly on Friday at 06:15 Asia\/Tokyo/);
    expect(edited.json.next_run_local).toMatch(/ 06:15$/);

    expect((await patch({ schedule_config: { time: "99:00" } })).status).toBe(400);
    expect((await patch({})).status).toBe(400);
    // The patient may change (issue 23), but only to one the owner may see: another gets the 404 of a missing one.
    expect((await patch({ patient_id: "someone-else" })).status).toBe(404);

    const stranger = await therapistClient();
    expect((await call(PATCH, { method: "PATCH", path: `${PATH}/${id}`, token: stranger.token, body: { is_active: false }, params: { id } })).status).toBe(404);
    expect((await call(DELETE, { method: "DELETE", path: `${PATH}/${id}`, token: stranger.token, params: { id } })).status).toBe(404);

    const deleted = await call(DELETE, { method: "DELETE", path: `${PATH}/${id}`, token, params: { id } });
    expect(deleted.status).toBe(200);
    expect(await prisma.scheduledReport.findUnique({ where: { id } })).toBeNull();

    const actions = (await prisma.exportAuditLog.findMany({ where: { scheduleId: id, userId: user.id }, orderBy: { seq: "asc" } })).map((r) => r.action);
    // The refused patient change is a denial, audited like every other.
    expect(actions).toEqual(["schedule_created", "schedule_updated", "schedule_updated", "schedule_updated", "access_denied", "schedule_deleted"]);
  });

  it("refuses to resume a schedule whose owner lost access", async () => {
    const { token, patient, user } = await therapistClient();
    const created = await call(POST, { path: PATH, token, body: progressReportSchedule(patient.id) });
    const id = created.json.id as string;
    await call(PATCH, { method: "PATCH", path: `${PATH}/${id}`, token, body: { is_active: false }, params: { id } });
    await prisma.patientAssignment.deleteMany({ where: { userId: user.id } });

    const resumed = await call(PATCH, { method: "PATCH", path: `${PATH}/${id}`, token, body: { is_active: true }, params: { id } });

    expect(resumed.status).toBe(404);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id } })).isActive).toBe(false);
  });
});
