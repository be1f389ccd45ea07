import { readFile } from "node:fs/promises";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { POST as batchRoute } from "@/app/api/v1/export/batch/route";
import { GET as downloadRoute } from "@/app/api/v1/export/download/[id]/route";
import { GET as getJobRoute } from "@/app/api/v1/export/jobs/[id]/route";
import { prisma } from "@/lib/db/client";
import { drainJobs } from "@/lib/jobs/runner";
import { seedReportPatient } from "@/lib/reports/testing/seed-report-patient";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { deliveryBaseDir } from "@/lib/schedules/deliver-scheduled-job";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { unzipEntries } from "../setup/unzip";

const PERIOD = { start_date: "2026-01-01", end_date: "2026-03-31" };

async function therapistWithCaseload(size: number) {
  const { user: therapist } = await createUser({ role: "THERAPIST" });
  const patients = [];
  for (let n = 0; n < size; n++) patients.push((await seedReportPatient({ assignedTo: therapist.id })).patient);
  return { therapist, token: await tokenFor(therapist.id), patients };
}

async function queueBatch(token: string, body: unknown) {
  return call(batchRoute, { path: "/api/v1/export/batch", token, body });
}

async function download(jobId: string, token: string) {
  const request = new Request(`http://127.0.0.1:3999/api/v1/export/download/${jobId}`, { headers: { "user-agent": "vitest", authorization: `Bearer ${token}` } });
  const response = await downloadRoute(request, { params: Promise.resolve({ id: jobId }) });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}


const pageCount = (pdf: Buffer) => (pdf.toString("latin1").match(/\/Type \/Page\b/g) ?? []).length;

describe("batch reports: one job for many patients", () => {
  it("a caseload as a ZIP of JSON files: a patient unassigned after the request is skipped, audited and listed; each included one audited; progress per patient", async () => {
    const { therapist, token, patients } = await therapistWithCaseload(3);
    const queued = await queueBatch(token, { export_type: "progress_report", scope: "caseload", format: "json", ...PERIOD });
    expect(queued.status, queued.text).toBe(202);
    expect(queued.json).toMatchObject({ job_id: expect.any(String), status: "processing", patient_count: 3 });
    const jobId = queued.json.job_id as string;
    expect(await prisma.exportJobPatient.count({ where: { jobId } })).toBe(3);

    // The assignment ends between the request and the run: the run asks again.
    const [gone, ...kept] = patients;
    await prisma.patientAssignment.deleteMany({ where: { userId: therapist.id, patientId: gone!.id } });
    expect(await drainJobs()).toEqual(["completed"]);

    const job = await call(getJobRoute, { token, params: { id: jobId } });
    expect(job.status, job.text).toBe(200);
    expect(job.json).toMatchObject({ kind: "report_batch", status: "completed", download_url: expect.any(String) });
    expect((job.json.progress as { patients: unknown }).patients).toEqual({ done: 3, total: 3, included: 2, skipped: 1, failed: 0 });

    const file = await download(jobId, token);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("application/zip");
    const entries = unzipEntries(file.body);
    const manifest = JSON.parse(entries.get("manifest.json")!.toString("utf8"));
    expect(manifest.counts).toEqual({ total: 3, included: 2, skipped: 1, failed: 0 });
    const skipped = manifest.patients.filter((p: { status: string }) => p.status === "skipped");
    expect(skipped).toEqual([{ patient_id: gone!.id, pseudonym: expect.stringMatching(/^P-/), status: "skipped", reason: "no longer accessible to the requester" }]);
    const reports = [...entries.keys()].filter((name) => name !== "manifest.json");
    expect(reports).toHaveLength(2);
    const inFile = reports.map((name) => JSON.parse(entries.get(name)!.toString("utf8")).patient.id).sort();
    expect(inFile).toEqual(kept.map((p) => p.id).sort());
    // Names in the ZIP are pseudonymous, as a single export's file name is.
    for (const patient of patients) expect(reports.join(" ")).not.toContain(patient.familyName);

    expect(await prisma.exportAuditLog.count({ where: { exportJobId: jobId, action: "access_denied", patientId: gone!.id } })).toBe(1);
    const perPatient = await prisma.exportAuditLog.findMany({ where: { exportJobId: jobId, action: "export_completed", patientId: { not: null } }, select: { patientId: true, metadata: true } });
    expect(perPatient.map((r) => r.patientId).sort()).toEqual(kept.map((p) => p.id).sort());
    expect(perPatient[0]!.metadata).toMatchObject({ batch: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: expect.any(Number) });
  });

  it("the job view and file follow today's assignments of the patients the file holds", async () => {
    const { therapist, token, patients } = await therapistWithCaseload(2);
    const queued = await queueBatch(token, { export_type: "insurance_report", scope: "patients", patient_ids: patients.map((p) => p.id), format: "csv", ...PERIOD });
    expect(queued.status, queued.text).toBe(202);
    expect(await drainJobs()).toEqual(["completed"]);
    const jobId = queued.json.job_id as string;
    expect((await download(jobId, token)).status).toBe(200);
    await prisma.patientAssignment.deleteMany({ where: { userId: therapist.id, patientId: patients[1]!.id } });
    expect((await download(jobId, token)).status).toBe(404);
    expect((await call(getJobRoute, { token, params: { id: jobId } })).status).toBe(404);

    // None accessible any more at run time: the job fails and says why; naming nobody, it stays readable to its owner.
    const again = await queueBatch(token, { export_type: "insurance_report", scope: "patients", patient_ids: [patients[0]!.id], format: "csv", ...PERIOD });
    expect(again.status, again.text).toBe(202);
    await prisma.patientAssignment.deleteMany({ where: { userId: therapist.id } });
    expect(await drainJobs()).toEqual(["failed"]);
    const failed = await call(getJobRoute, { token, params: { id: again.json.job_id as string } });
    expect(failed.status, failed.text).toBe(200);
    expect(failed.json).toMatchObject({ status: "failed", error: "None of the 1 patients could be exported (1 no longer accessible, 0 could not be rendered).", download_url: null });
  });

  it("a combined PDF: every patient's report and the summary in one file", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const patients = [(await seedReportPatient()).patient, (await seedReportPatient()).patient];
    const single = await queueBatch(token, { export_type: "progress_report", scope: "patients", patient_ids: [patients[0]!.id], format: "pdf", combined: true, ...PERIOD });
    const both = await queueBatch(token, { export_type: "progress_report", scope: "patients", patient_ids: patients.map((p) => p.id), format: "pdf", combined: true, ...PERIOD });
    expect(single.status, single.text).toBe(202);
    expect(both.status, both.text).toBe(202);
    expect(await drainJobs()).toEqual(["completed", "completed"]);

    const one = await download(single.json.job_id as string, token);
    const two = await download(both.json.job_id as string, token);
    expect(two.headers.get("content-type")).toBe("application/pdf");
    expect(two.body.subarray(0, 5).toString()).toBe("%PDF-");
    expect(two.body.toString("latin1").trimEnd().endsWith("%%EOF")).toBe(true);
    // Two reports of the same shape and one summary: twice the single's report pages, plus its summary's.
    const summaryPages = 1;
    expect(pageCount(two.body)).toBe(2 * (pageCount(one.body) - summaryPages) + summaryPages);
    const audits = await prisma.exportAuditLog.findMany({ where: { exportJobId: both.json.job_id as string, action: "export_completed", patientId: { not: null } }, select: { patientId: true } });
    expect(audits.map((a) => a.patientId).sort()).toEqual(patients.map((p) => p.id).sort());
  }, 120_000);

  it("bad requests are a 4xx naming the field; refusals are audited", async () => {
    const { therapist, token } = await therapistWithCaseload(1);
    const other = (await seedReportPatient()).patient;
    const { user: admin } = await createUser({ role: "ADMIN" });
    const adminToken = await tokenFor(admin.id);
    const cases: [string, unknown, number, string][] = [
      [token, { export_type: "progress_report", scope: "patients", format: "pdf", ...PERIOD }, 400, "patient_ids"],
      [token, { export_type: "session_notes", scope: "caseload", format: "pdf" }, 400, "export_type"],
      [token, { export_type: "progress_report", scope: "everyone", format: "pdf", ...PERIOD }, 400, "scope"],
      [token, { export_type: "progress_report", scope: "caseload", format: "json", combined: true, ...PERIOD }, 400, "combined"],
      [token, { export_type: "progress_report", scope: "caseload", format: "pdf", start_date: "2026-02-30", end_date: "2026-03-31" }, 400, "start_date"],
      [token, { export_type: "treatment_summary", scope: "caseload", format: "pdf", purpose: "records", treatment_plan_id: "x" }, 400, "treatment_plan_id"],
      [token, { export_type: "progress_report", scope: "organization", format: "pdf", ...PERIOD }, 400, "organization_id"],
      [adminToken, { export_type: "progress_report", scope: "caseload", format: "pdf", ...PERIOD }, 400, "scope"],
      [adminToken, { export_type: "progress_report", scope: "organization", organization_id: "nope", format: "pdf", ...PERIOD }, 404, "organization_id"],
    ];
    for (const [who, body, status, field] of cases) {
      const response = await queueBatch(who as string, body);
      expect(response.status, `${field}: ${response.text}`).toBe(status);
      expect(JSON.stringify(response.json), field).toContain(field);
    }

    const before = await prisma.exportAuditLog.count({ where: { userId: therapist.id, action: "access_denied" } });
    expect((await queueBatch(token, { export_type: "progress_report", scope: "practice", format: "pdf", ...PERIOD })).status).toBe(403);
    // Another therapist's patient answers like a missing one.
    expect((await queueBatch(token, { export_type: "progress_report", scope: "patients", patient_ids: [other.id], format: "pdf", ...PERIOD })).status).toBe(404);
    expect(await prisma.exportAuditLog.count({ where: { userId: therapist.id, action: "access_denied" } })).toBe(before + 2);
    expect(await prisma.exportJob.count({ where: { userId: therapist.id } })).toBe(0);
  });

  it("practice-wide schedules of every report type run as batches over the practice or one organization, delivered as one file", async () => {
    const { user: admin, actor } = await createUser({ role: "ADMIN" });
    const organization = await prisma.organization.create({ data: { fhirId: `org-${Date.now()}`, name: "North Clinic", raw: {} } });
    const members = [(await seedReportPatient()).patient, (await seedReportPatient()).patient];
    const outsider = (await seedReportPatient()).patient;
    await prisma.patient.updateMany({ where: { id: { in: members.map((p) => p.id) } }, data: { organizationId: organization.id } });
    const nightly = {
      export_type: "full_record",
      patient_id: null,
      schedule_type: "daily",
      schedule_config: { time: "08:00", timezone: "UTC" },
      parameters: { format: "json", organization_id: organization.id },
      delivery_method: "storage",
    };
    const schedule = await createSchedule(actor, nightly, { now: new Date("2026-11-30T12:00:00Z") });
    expect(schedule.parameters).toEqual({ format: "json", organization_id: organization.id });

    // Named refusals: a batch-only parameter on a one-patient schedule, combined without PDF, a therapist's practice-wide schedule.
    const { actor: therapist } = await createUser({ role: "THERAPIST" });
    await expect(createSchedule(actor, { ...nightly, patient_id: outsider.id, parameters: { format: "json", combined: true } })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      issues: [expect.objectContaining({ path: "parameters.combined" })],
    });
    await expect(createSchedule(actor, { ...nightly, parameters: { format: "json", combined: true } })).rejects.toMatchObject({ code: "INVALID_INPUT", issues: [expect.objectContaining({ path: "parameters.combined" })] });
    await expect(createSchedule(therapist, nightly)).rejects.toMatchObject({ code: "FORBIDDEN" });

    const tick = await runSchedulerTick(new Date("2026-12-01T08:00:30Z"));
    const run = tick.runs.find((r) => r.scheduleId === schedule.id)!;
    expect(run.status, JSON.stringify(run)).toBe("queued");
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: run.jobId! } });
    expect(job).toMatchObject({ kind: "report_batch", exportType: "full_record", scheduledReportId: schedule.id, userId: admin.id });
    const covered = await prisma.exportJobPatient.findMany({ where: { jobId: job.id }, select: { patientId: true } });
    expect(covered.map((r) => r.patientId).sort()).toEqual(members.map((p) => p.id).sort());
    expect(await drainJobs()).toEqual(["completed"]);

    const delivered = await readFile(path.join(deliveryBaseDir(), "2026", "12", "01", "full_record_practice_2026-12-01.zip"));
    const entries = unzipEntries(delivered);
    expect(JSON.parse(entries.get("manifest.json")!.toString("utf8"))).toMatchObject({ scope: "organization", organization_id: organization.id, counts: { total: 2, included: 2 } });
    expect(entries.size).toBe(3);
    const [row] = await prisma.scheduleRun.findMany({ where: { scheduleId: schedule.id } });
    expect(row!.status).toBe("delivered");
  }, 120_000);
});

