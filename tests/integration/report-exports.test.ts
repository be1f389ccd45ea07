
import { describe, expect, it } from "vitest";

import { GET as downloadRoute } from "@/app/api/v1/export/download/[id]/route";
import { POST as fullRecordRoute } from "@/app/api/v1/export/full-record/route";
import { POST as insuranceRoute } from "@/app/api/v1/export/insurance-report/route";
import { GET as jobEventsRoute } from "@/app/api/v1/export/jobs/[id]/events/route";
import { DELETE as deleteJobRoute, GET as getJobRoute } from "@/app/api/v1/export/jobs/[id]/route";
import { GET as listJobsRoute } from "@/app/api/v1/export/jobs/route";
import { POST as progressRoute } from "@/app/api/v1/export/progress-report/route";
import { POST as sessionNotesRoute } from "@/app/api/v1/export/session-notes/route";
import { POST as treatmentSummaryRoute } from "@/app/api/v1/export/treatment-summary/route";
import { parseCsv } from "@/lib/csv/parse-csv";
import { prisma } from "@/lib/db/client";
import { signDownloadLink } from "@/lib/jobs/download-link";
import { drainJobs } from "@/lib/jobs/runner";
import { seedReportPatient } from "@/lib/reports/testing/seed-report-patient";
import { storage } from "@/lib/storage";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { unzipEntries } from "../setup/unzip";

type THandler = (request: Request, context: { params: Promise<Record<string, never>> }) => Promise<Response>;

async function setup() {
  const { user: therapist } = await createUser({ role: "THERAPIST", name: "Dana Whitfield" });
  const seeded = await seedReportPatient({ assignedTo: therapist.id });
  return { therapist, token: await tokenFor(therapist.id), ...seeded };
}

async function queue(handler: THandler, token: string, body: unknown) {
  const response = await call(handler, { path: "/api/v1/export/x", token, body });
  expect(response.status, response.text).toBe(202);
  expect(response.json).toEqual({ job_id: expect.any(String), status: "processing", estimated_completion: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
  return response.json.job_id as string;
}

/** Raw bytes of a download (binary-safe, unlike call()'s text). */
async function download(jobId: string, options: { token?: string; query?: string } = {}) {
  const request = new Request(`http://127.0.0.1:3999/api/v1/export/download/${jobId}${options.query ?? ""}`, {
    headers: { "user-agent": "vitest", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
  });
  const response = await downloadRoute(request, { params: Promise.resolve({ id: jobId }) });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}



describe("report exports: each endpoint queues a job the worker completes", () => {
  it("progress report as JSON: scoped to the period, sections applied, transcript left out by default", async () => {
    const { token, patient } = await setup();
    const jobId = await queue(progressRoute, token, {
      patient_id: patient.id,
      start_date: "2026-01-01",
      end_date: "2026-02-28",
      format: "json",
      include_sections: { clinical_observations: false },
    });
    expect(await drainJobs()).toEqual(["completed"]);

    const file = await download(jobId, { token });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("application/json");
    expect(file.headers.get("content-disposition")).toMatch(/filename="progress_report_P-[bcdfghjklmnpqrst]{16}_\d{4}-\d{2}-\d{2}\.json"/);
    expect(file.headers.get("content-disposition")).not.toContain(patient.familyName);
    const context = JSON.parse(file.body.toString("utf8"));
    expect(context.export_type).toBe("progress_report");
    expect(context.period).toEqual({ start: "2026-01-01", end: "2026-02-28" });
    expect(context.patient).toMatchObject({ id: patient.id, name: `Morgan ${patient.familyName}`, age: expect.any(Number), member_id: patient.insuranceMemberId });
    expect(context.therapist).toMatchObject({ name: "Dana Whitfield", credentials: "LCSW", npi: "1234567893" });
    expect(context.sessions.map((session: { date: string }) => session.date)).toEqual(["2026-01-05", "2026-01-19", "2026-02-02"]);
    expect(context.sessions[0].transcript).toBeNull();
    expect(context.sessions[0].ai_notes).toBeNull();
    expect(context.sessions[0].action_items).toEqual([]);
    expect(context.observations).toEqual([]);
    expect(context.include_sections).toMatchObject({ clinical_observations: false, diagnosis: true });
    expect(context.goals[0]).toMatchObject({ description: "Reduce depressive symptoms", baseline: 18, current: 9, target: 5, progress_percent: 69 });
    expect(context.assessment_trends).toEqual([
      expect.objectContaining({ questionnaire: "phq-9", points: [{ date: "2026-01-05", score: 18 }, { date: "2026-02-02", score: 12 }], first: 18, last: 12, change: -6 }),
    ]);
    expect(context.diagnoses).toEqual([expect.objectContaining({ code: "F33.1" })]);

    const job = await call(getJobRoute, { token, params: { id: jobId } });
    expect(job.json).toMatchObject({ status: "completed", progress_percent: 100, download_url: expect.stringContaining(`/api/v1/export/download/${jobId}?expires=`), expires_at: expect.any(String) });
    expect(await prisma.exportAuditLog.count({ where: { exportJobId: jobId, action: { in: ["export_created", "export_completed", "downloaded"] } } })).toBe(3);
  });

  it("session notes as CSV: RFC 4180 quoting, formula cells neutralised, options honoured, third parties scrubbed", async () => {
    const { token, sessions } = await setup();
    const jobId = await queue(sessionNotesRoute, token, {
      session_ids: [sessions[0]!.id, sessions[1]!.noteId],
      format: "csv",
      options: { include_transcript: true, include_ai_notes: false, include_action_items: true, scrub_third_party: true },
    });
    await drainJobs();
    const file = await download(jobId, { token });
    expect(file.status).toBe(200);
    const rows = parseCsv(file.body.toString("utf8"));
    expect(rows[0]).toEqual(expect.arrayContaining(["session_id", "date", "cpt_code", "subjective", "transcript", "ai_notes", "action_items"]));
    expect(rows).toHaveLength(3);
    const header = rows[0]!;
    const first = Object.fromEntries(header.map((name, index) => [name, rows[1]![index]]));
    expect(first.session_id).toBe(sessions[0]!.id);
    expect(first.subjective!.startsWith(`'=HYPERLINK("x")`)).toBe(true);
    expect(first.subjective).toContain("[phone removed]");
    expect(first.subjective).toContain("[email removed]");
    expect(first.subjective).toContain("[name removed]");
    expect(first.transcript).toBe("TRANSCRIPT-1");
    expect(first.ai_notes).toBe("");
    expect(first.action_items).toBe("Walk daily");
    expect(file.body.toString("utf8")).toContain('"\'=HYPERLINK(""x"")');
  });

  it("session notes batch zip: one document per session", async () => {
    const { token, sessions } = await setup();
    const jobId = await queue(sessionNotesRoute, token, { session_ids: sessions.map((session) => session.id), format: "json", batch: "zip" });
    await drainJobs();
    const file = await download(jobId, { token });
    expect(file.headers.get("content-type")).toBe("application/zip");
    const entries = unzipEntries(file.body);
    expect(entries.size).toBe(4);
    for (const [name, body] of entries) {
      expect(name).toMatch(/^session_note_P-[bcdfghjklmnpqrst]{16}_\d{4}-\d{2}-\d{2}_\d\.json$/);
      expect(JSON.parse(body.toString("utf8")).sessions).toHaveLength(1);
    }
  });

  it("treatment summary as FHIR for insurance: a collection Bundle without note content or contact details", async () => {
    const { token, patient, plan } = await setup();
    const jobId = await queue(treatmentSummaryRoute, token, { patient_id: patient.id, treatment_plan_id: plan.id, format: "fhir", purpose: "insurance" });
    await drainJobs();
    const file = await download(jobId, { token });
    expect(file.headers.get("content-type")).toBe("application/fhir+json");
    // The name says it is a FHIR Bundle, and carries the report date the document prints.
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.fileName).toBe(`treatment_summary_${job.fileName!.split("_")[2]}_${job.completedAt!.toISOString().slice(0, 10)}.fhir.json`);
    expect(file.headers.get("content-disposition")).toMatch(/filename="treatment_summary_P-[bcdfghjklmnpqrst]{16}_\d{4}-\d{2}-\d{2}\.fhir\.json"/);
    const bundle = JSON.parse(file.body.toString("utf8"));
    expect(bundle).toMatchObject({ resourceType: "Bundle", type: "collection" });
    const types = new Set(bundle.entry.map((entry: { resource: { resourceType: string } }) => entry.resource.resourceType));
    for (const type of ["Patient", "Condition", "Goal", "CarePlan", "Encounter", "QuestionnaireResponse"]) expect(types).toContain(type);
    expect(types).not.toContain("DocumentReference");
    expect(types).not.toContain("Observation");
    const fhirPatient = bundle.entry.find((entry: { resource: { resourceType: string } }) => entry.resource.resourceType === "Patient").resource;
    expect(fhirPatient.telecom).toBeUndefined();
    expect(file.body.toString("utf8")).not.toContain("Flat affect");
    for (const entry of bundle.entry) expect(entry.fullUrl).toBe(`https://careexport.example/fhir/${entry.resource.resourceType}/${entry.resource.id}`);
  });

  it("full record as FHIR keeps notes as DocumentReferences and as JSON has a timeline", async () => {
    const { token, patient } = await setup();
    const fhirJob = await queue(fullRecordRoute, token, { patient_id: patient.id, format: "fhir", include_sections: {} });
    const jsonJob = await queue(fullRecordRoute, token, { patient_id: patient.id, format: "json", date_range: { start: "2026-01-01", end: "2026-01-31" } });
    expect(await drainJobs()).toEqual(["completed", "completed"]);
    const bundle = JSON.parse((await download(fhirJob, { token })).body.toString("utf8"));
    const notes = bundle.entry.filter((entry: { resource: { resourceType: string } }) => entry.resource.resourceType === "DocumentReference");
    expect(notes).toHaveLength(4);
    const decoded = JSON.parse(Buffer.from(notes[0].resource.content[0].attachment.data, "base64").toString("utf8"));
    expect(decoded.objective).toBe("Flat affect");
    const context = JSON.parse((await download(jsonJob, { token })).body.toString("utf8"));
    expect(context.timeline.map((event: { kind: string }) => event.kind)).toEqual(expect.arrayContaining(["session", "assessment", "referral"]));
    expect(context.timeline.every((event: { date: string }) => event.date >= "2026-01-01" && event.date <= "2026-01-31")).toBe(true);
  });

  it("insurance report as CSV: one claim line per service with ICD-10 and CPT codes", async () => {
    const { token, patient } = await setup();
    const jobId = await queue(insuranceRoute, token, { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "csv" });
    await drainJobs();
    const rows = parseCsv((await download(jobId, { token })).body.toString("utf8"));
    expect(rows[0]).toEqual(["patient_id", "member_id", "payer", "provider_npi", "provider_name", "diagnosis_codes", "service_date", "cpt_code", "units", "description"]);
    expect(rows.slice(1).map((row) => [row[6], row[7], row[8], row[5], row[3]])).toEqual([
      ["2026-01-05", "90837", "1", "F33.1", "1234567893"],
      ["2026-01-19", "90837", "1", "F33.1", "1234567893"],
      ["2026-02-02", "90837", "1", "F33.1", "1234567893"],
      ["2026-03-16", "90837", "1", "F33.1", "1234567893"],
    ]);
  });

  it("PDF and DOCX go through the template pipeline", async () => {
    const { token, patient } = await setup();
    const body = { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31" };
    const pdfJob = await queue(progressRoute, token, { ...body, format: "pdf" });
    const docxJob = await queue(progressRoute, token, { ...body, format: "docx" });
    const outcomes = await drainJobs();
    const failed = await prisma.exportJob.findMany({ where: { id: { in: [pdfJob, docxJob] }, status: { not: "COMPLETED" } }, select: { errorMessage: true } });
    expect(outcomes, JSON.stringify(failed)).toEqual(["completed", "completed"]);
    const pinned = await prisma.exportJob.findUniqueOrThrow({ where: { id: pdfJob }, include: { template: true } });
    expect(pinned.template).toMatchObject({ exportType: "progress_report", isSystem: true });
    const pdf = await download(pdfJob, { token });
    expect(pdf.body.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.headers.get("content-disposition")).toMatch(/progress_report_P-[bcdfghjklmnpqrst]{16}_\d{4}-\d{2}-\d{2}\.pdf/);
    const docx = await download(docxJob, { token });
    const documentXml = unzipEntries(docx.body).get("word/document.xml")?.toString("utf8") ?? "";
    expect(documentXml).toContain(patient.familyName);
    expect(documentXml).toContain("Reduce depressive symptoms");
    expect(await prisma.exportAuditLog.count({ where: { exportJobId: pdfJob, action: "export_completed" } })).toBe(1);
  });
});

describe("report exports: refusals queue nothing", () => {
  it("validation errors name the field; end before start is a 400 on end_date", async () => {
    const { token, patient, therapist } = await setup();
    const missing = await call(progressRoute, { token, body: { patient_id: patient.id, start_date: "2026-01-01", format: "xlsx" } });
    expect(missing.status).toBe(400);
    expect((missing.json.issues as { path: string }[]).map((issue) => issue.path).sort()).toEqual(["end_date", "format"]);

    const backwards = await call(progressRoute, { token, body: { patient_id: patient.id, start_date: "2026-03-01", end_date: "2026-02-01", format: "pdf" } });
    expect(backwards.status).toBe(400);
    expect(backwards.json.issues).toEqual([{ path: "end_date", message: "must not be before start_date" }]);

    const badRange = await call(fullRecordRoute, { token, body: { patient_id: patient.id, format: "json", date_range: { start: "2026-03-01", end: "2026-02-01" } } });
    expect(badRange.json.issues).toEqual([{ path: "date_range.end", message: "must not be before start" }]);

    const badPurpose = await call(treatmentSummaryRoute, { token, body: { patient_id: patient.id, format: "pdf", purpose: "marketing" } });
    expect((badPurpose.json.issues as { path: string }[])[0]!.path).toBe("purpose");

    const badSection = await call(progressRoute, { token, body: { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-02-01", format: "pdf", include_sections: { diagnosis: "yes" } } });
    expect((badSection.json.issues as { path: string }[])[0]!.path).toBe("include_sections.diagnosis");

    const noSessions = await call(sessionNotesRoute, { token, body: { session_ids: [], format: "pdf" } });
    expect((noSessions.json.issues as { path: string }[])[0]!.path).toBe("session_ids");
    expect(await prisma.exportJob.count({ where: { userId: therapist.id } })).toBe(0);
  });

  it("unknown patient is 404; an unassigned therapist gets the same 404, audited; analysts 403", async () => {
    const { patient } = await setup();
    const { user: other } = await createUser({ role: "THERAPIST" });
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const body = (patientId: string) => ({ patient_id: patientId, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" });
    const unknown = await call(insuranceRoute, { token: await tokenFor(other.id), body: body("no-such-patient") });
    const foreign = await call(insuranceRoute, { token: await tokenFor(other.id), body: body(patient.id) });
    expect(unknown.status).toBe(404);
    expect(foreign.status).toBe(404);
    expect({ ...foreign.json, request_id: null }).toEqual({ ...unknown.json, request_id: null });
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: other.id, patientId: patient.id } })).toBe(1);

    const byAnalyst = await call(insuranceRoute, { token: await tokenFor(analyst.id), body: body(patient.id) });
    expect(byAnalyst.status).toBe(403);

    const foreignSessions = await call(sessionNotesRoute, { token: await tokenFor(other.id), body: { session_ids: ["missing-session"], format: "json" } });
    expect(foreignSessions.status).toBe(404);
    expect(await prisma.exportJob.count({ where: { userId: { in: [other.id, analyst.id] } } })).toBe(0);
  });

  it("another therapist's sessions, an unknown template and a template of another type are refused", async () => {
    const { token, patient, therapist } = await setup();
    const { user: other } = await createUser({ role: "THERAPIST" });
    const foreign = await seedReportPatient({ assignedTo: other.id });
    const mixed = await call(sessionNotesRoute, { token, body: { session_ids: [foreign.sessions[0]!.id], format: "json" } });
    expect(mixed.status).toBe(404);
    const { user: admin } = await createUser({ role: "ADMIN" });
    const mine = await seedReportPatient({ assignedTo: therapist.id });
    const twoPatients = await call(sessionNotesRoute, { token: await tokenFor(admin.id), body: { session_ids: [foreign.sessions[0]!.id, mine.sessions[0]!.id], format: "json" } });
    expect(twoPatients.status).toBe(400);
    expect(twoPatients.json.issues).toEqual([{ path: "batch", message: expect.any(String) }]);
    expect(await prisma.exportJob.count({ where: { userId: admin.id } })).toBe(0);

    const unknownTemplate = await call(progressRoute, { token, body: { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-02-01", format: "pdf", template_id: "nope" } });
    expect(unknownTemplate.status).toBe(404);
    expect(unknownTemplate.json.issues).toEqual([{ path: "template_id", message: "not found" }]);

    const summaryTemplate = await prisma.exportTemplate.create({
      data: { templateKey: `k-${patient.id}`, name: "Summary", exportType: "treatment_summary", format: "pdf", templateContent: "<p>{{ patient.name }}</p>", includeSections: {} },
    });
    const wrongType = await call(progressRoute, { token, body: { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-02-01", format: "pdf", template_id: summaryTemplate.id } });
    expect(wrongType.status).toBe(400);
    expect((wrongType.json.issues as { path: string }[])[0]!.path).toBe("template_id");
    expect(await prisma.exportJob.count({ where: { userId: therapist.id } })).toBe(0);
  });

  it("a template that cannot render the report fails the job at once, with the reason", async () => {
    const { token, patient, therapist } = await setup();
    const header = Array.from({ length: 70 }, (_, i) => `<p>Letterhead line ${i}</p>`).join("");
    const template = await prisma.exportTemplate.create({
      data: { templateKey: `tall-${patient.id}`, name: "Tall letterhead", exportType: "progress_report", format: "pdf", templateContent: `<header>${header}</header><p>{{ patient.name }}</p>`, includeSections: {} },
    });
    const jobId = await queue(progressRoute, token, { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "pdf", template_id: template.id });
    expect(await drainJobs()).toEqual(["failed"]);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.attempts).toBe(1);
    expect(job.errorMessage).toMatch(/^The template could not be rendered: template_content: the page header and footer leave no room/);
    expect(job.fileKey).toBeNull();
    expect(await prisma.exportJob.count({ where: { userId: therapist.id, status: "COMPLETED" } })).toBe(0);
  });

  it("an assignment removed after queueing fails the job at run time", async () => {
    const { token, patient, therapist } = await setup();
    const jobId = await queue(progressRoute, token, { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" });
    await prisma.patientAssignment.deleteMany({ where: { userId: therapist.id, patientId: patient.id } });
    expect(await drainJobs()).toEqual(["failed"]);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.errorMessage).toMatch(/no longer has access/);
    expect(job.fileKey).toBeNull();
  });
});

describe("report jobs: ownership, listing, links, deletion", () => {
  it("lists the caller's jobs with patient name; admins see all; filters validated", async () => {
    const { token, patient } = await setup();
    const { user: other } = await createUser({ role: "THERAPIST" });
    const { user: admin } = await createUser({ role: "ADMIN" });
    const jobId = await queue(progressRoute, token, { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "csv" });
    await drainJobs();

    const mine = await call(listJobsRoute, { path: `/api/v1/export/jobs?status=completed&patient_id=${patient.id}&limit=10`, token });
    expect(mine.status).toBe(200);
    expect(mine.json.jobs).toEqual([
      expect.objectContaining({ id: jobId, patient_name: `Morgan ${patient.familyName}`, export_type: "progress_report", format: "csv", status: "completed", file_size: expect.any(Number), file_expires_at: expect.any(String) }),
    ]);
    const pending = await call(listJobsRoute, { path: "/api/v1/export/jobs?status=pending", token });
    expect(pending.json.jobs).toEqual([]);
    const others = await call(listJobsRoute, { path: "/api/v1/export/jobs", token: await tokenFor(other.id) });
    expect(others.json.jobs).toEqual([]);
    const all = await call(listJobsRoute, { path: "/api/v1/export/jobs", token: await tokenFor(admin.id) });
    expect((all.json.jobs as { id: string }[]).map((job) => job.id)).toContain(jobId);
    const bad = await call(listJobsRoute, { path: "/api/v1/export/jobs?status=done&limit=0", token });
    expect(bad.status).toBe(400);
    expect((bad.json.issues as { path: string }[]).map((issue) => issue.path).sort()).toEqual(["limit", "status"]);
  });

  it("therapist B cannot read, download or delete therapist A's job (404, audited)", async () => {
    const { token, patient } = await setup();
    const { user: other } = await createUser({ role: "THERAPIST" });
    const otherToken = await tokenFor(other.id);
    const jobId = await queue(progressRoute, token, { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" });
    await drainJobs();
    expect((await call(getJobRoute, { token: otherToken, params: { id: jobId } })).status).toBe(404);
    expect((await download(jobId, { token: otherToken })).status).toBe(404);
    expect((await call(deleteJobRoute, { method: "DELETE", token: otherToken, params: { id: jobId } })).status).toBe(404);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: other.id, exportJobId: jobId } })).toBe(3);
    expect(await prisma.exportJob.count({ where: { id: jobId } })).toBe(1);
  });

  it("a signed link works without a session; tampered and expired links get 403", async () => {
    const { token, patient } = await setup();
    const jobId = await queue(insuranceRoute, token, { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" });
    await drainJobs();
    const job = await call(getJobRoute, { token, params: { id: jobId } });
    const url = new URL(job.json.download_url as string);

    const ok = await download(jobId, { query: url.search });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body.toString("utf8")).export_type).toBe("insurance_report");
    expect(await prisma.exportAuditLog.count({ where: { action: "downloaded", exportJobId: jobId, actorLabel: "signed-link" } })).toBe(1);

    const signature = url.searchParams.get("signature")!;
    const tampered = `?expires=${Number(url.searchParams.get("expires")) + 3600}&signature=${signature}`;
    expect((await download(jobId, { query: tampered })).status).toBe(403);
    const expired = signDownloadLink(jobId, 1, Date.now() - 2 * 3_600_000);
    expect((await download(jobId, { query: expired.path.slice(expired.path.indexOf("?")) })).status).toBe(403);
    expect((await download(jobId, {})).status).toBe(401);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", actorLabel: "signed-link" } })).toBe(2);
  });

  it("delete removes the job and its stored file", async () => {
    const { token, patient } = await setup();
    const jobId = await queue(progressRoute, token, { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" });
    await drainJobs();
    const { fileKey } = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(fileKey).toBeTruthy();
    expect(await storage().exists(fileKey!)).toBe(true);

    const response = await call(deleteJobRoute, { method: "DELETE", token, params: { id: jobId } });
    expect(response.status).toBe(204);
    expect(await prisma.exportJob.count({ where: { id: jobId } })).toBe(0);
    expect(await storage().exists(fileKey!)).toBe(false);
    expect((await download(jobId, { token })).status).toBe(404);
    expect(await prisma.exportAuditLog.count({ where: { action: "deleted", exportJobId: jobId } })).toBe(1);
  });

  it("streams a finished job's final state as a Server-Sent Event; admins may download any job", async () => {
    const { token, patient } = await setup();
    const { user: admin } = await createUser({ role: "ADMIN" });
    const jobId = await queue(progressRoute, token, { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "fhir" });
    await drainJobs();
    const events = await call(jobEventsRoute, { token, params: { id: jobId } });
    expect(events.status).toBe(200);
    expect(events.headers.get("content-type")).toContain("text/event-stream");
    expect(events.text).toContain("event: done");
    expect(events.text).toContain('"status":"completed"');

    const byAdmin = await download(jobId, { token: await tokenFor(admin.id) });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.headers.get("content-disposition")).toMatch(/\.json"$/);
    expect(JSON.parse(byAdmin.body.toString("utf8")).resourceType).toBe("Bundle");
  });
});
