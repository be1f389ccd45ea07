// The schedule actions people asked for (issue 23, item 10): run now, send a test delivery,
// several email recipients for admins, and changing a report schedule's type and patient.
import { describe, expect, it } from "vitest";

import { POST as RUN_NOW } from "@/app/api/v1/export/scheduled/[id]/run/route";
import { PATCH } from "@/app/api/v1/export/scheduled/[id]/route";
import { POST as TEST_DELIVERY } from "@/app/api/v1/export/scheduled/[id]/test-delivery/route";
import { POST } from "@/app/api/v1/export/scheduled/route";
import { prisma } from "@/lib/db/client";

import { assignPatient, createPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { progressReportSchedule, therapistWithPatient } from "./schedule-helpers";

const PATH = "/api/v1/export/scheduled";

async function createdSchedule(token: string, body: Record<string, unknown>) {
  const response = await call(POST, { path: PATH, token, body });
  expect(response.status).toBe(201);

  return response.json.id as string;
}

describe("schedule actions", () => {
  it("runs a schedule now: a run and its export job, the next run left where it was; others get 404", async () => {
    const { user, patient } = await therapistWithPatient();
    const token = await tokenFor(user.id);
    const id = await createdSchedule(token, progressReportSchedule(patient.id));
    const before = await prisma.scheduledReport.findUniqueOrThrow({ where: { id } });

    const ran = await call(RUN_NOW, { method: "POST", path: `${PATH}/${id}/run`, token, params: { id } });
    expect(ran.status).toBe(202);
    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: ran.json.run_id as string } });
    expect(run.jobId).toBe(ran.json.job_id);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: run.jobId! } });
    expect(job).toMatchObject({ scheduledReportId: id, patientId: patient.id, exportType: "progress_report" });
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id } })).nextRunAt).toEqual(before.nextRunAt);

    const { user: stranger } = await createUser({ role: "THERAPIST" });
    const refused = await call(RUN_NOW, { method: "POST", path: `${PATH}/${id}/run`, token: await tokenFor(stranger.id), params: { id } });
    expect(refused.status).toBe(404);
  });

  it("sends a test delivery to the folder and says what happened, audited", async () => {
    const { user, patient } = await therapistWithPatient();
    const token = await tokenFor(user.id);
    // In a sub-folder, and in the delivery folder itself.
    for (const target of ["test-folder", null]) {
      const id = await createdSchedule(token, progressReportSchedule(patient.id, { delivery_target: target }));
      const tested = await call(TEST_DELIVERY, { method: "POST", path: `${PATH}/${id}/test-delivery`, token, params: { id } });
      expect(tested.status).toBe(200);
      expect(tested.json).toMatchObject({ ok: true, method: "storage" });
      expect(tested.json.message).toContain("can be written to");
      expect(await prisma.exportAuditLog.count({ where: { action: "delivery_tested", scheduleId: id, outcome: "success" } })).toBe(1);
    }
  });

  it("lets an admin send to several email recipients, and a therapist only to themselves", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const patient = await createPatient();
    const adminToken = await tokenFor(admin.id);
    const body = progressReportSchedule(patient.id, { delivery_method: "email", delivery_target: "Manager@clinic.example; billing@clinic.example,manager@clinic.example" });
    const id = await createdSchedule(adminToken, body);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id } })).deliveryTarget).toBe("manager@clinic.example, billing@clinic.example");

    const bad = await call(POST, { path: PATH, token: adminToken, body: { ...body, delivery_target: "manager@clinic.example, not-an-address" } });
    expect(bad.status).toBe(400);
    expect(bad.json.issues).toEqual([{ path: "delivery_target", message: '"not-an-address" is not an email address' }]);

    const { user: therapist, patient: own } = await therapistWithPatient();
    const mine = await call(POST, { path: PATH, token: await tokenFor(therapist.id), body: progressReportSchedule(own.id, { delivery_method: "email", delivery_target: `${therapist.email}, someone@clinic.example` }) });
    expect(mine.status).toBe(400);
    expect(mine.json.issues).toEqual([{ path: "delivery_target", message: "you may only send scheduled exports to your own email address" }]);
  });

  it("lets the owner change the report type and the patient, asking the policy for the new patient", async () => {
    const { user, patient } = await therapistWithPatient();
    const token = await tokenFor(user.id);
    const other = await createPatient();
    await assignPatient(user.id, other.id);
    const foreign = await createPatient();
    const id = await createdSchedule(token, progressReportSchedule(patient.id));

    const changed = await call(PATCH, { method: "PATCH", path: `${PATH}/${id}`, token, params: { id }, body: { export_type: "insurance_report", patient_id: other.id } });
    expect(changed.json.issues ?? changed.json.error ?? null).toBeNull();
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ export_type: "insurance_report", patient_id: other.id });
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "schedule_updated", scheduleId: id }, orderBy: { seq: "desc" } });
    expect(audit.metadata).toMatchObject({ changes: { exportType: { from: "progress_report", to: "insurance_report" }, patientId: { from: patient.id, to: other.id } } });

    const refused = await call(PATCH, { method: "PATCH", path: `${PATH}/${id}`, token, params: { id }, body: { patient_id: foreign.id } });
    expect(refused.status).toBe(404);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id } })).patientId).toBe(other.id);
  });
});
