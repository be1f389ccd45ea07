// Every example request of the product spec ("Export & Reporting"), sent as written
// (tests/fixtures/product-spec, only the placeholder ids filled in), and each answer compared
// with the shape the spec shows. Then the spec's progress-report template through a real export,
// and its scheduled-report example, which gives no period.
import { readFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { GET as downloadRoute } from "@/app/api/v1/export/download/[id]/route";
import { POST as fullRecordRoute } from "@/app/api/v1/export/full-record/route";
import { POST as insuranceRoute } from "@/app/api/v1/export/insurance-report/route";
import { DELETE as deleteJobRoute, GET as getJobRoute } from "@/app/api/v1/export/jobs/[id]/route";
import { GET as listJobsRoute } from "@/app/api/v1/export/jobs/route";
import { POST as progressRoute } from "@/app/api/v1/export/progress-report/route";
import { GET as listSchedulesRoute, POST as createScheduleRoute } from "@/app/api/v1/export/scheduled/route";
import { POST as sessionNotesRoute } from "@/app/api/v1/export/session-notes/route";
import { POST as previewRoute } from "@/app/api/v1/export/templates/[id]/preview/route";
import { GET as listTemplatesRoute, POST as createTemplateRoute } from "@/app/api/v1/export/templates/route";
import { POST as treatmentSummaryRoute } from "@/app/api/v1/export/treatment-summary/route";
import { prisma } from "@/lib/db/client";
import { drainJobs } from "@/lib/jobs/runner";
import { pdfText } from "@/lib/render/testing/pdf-text";
import { docxText, readZipEntry } from "@/lib/render/testing/read-docx";
import { buildReportContext } from "@/lib/reports/build-report-context";
import { parseReportRequest } from "@/lib/reports/report-requests";
import { seedReportPatient } from "@/lib/reports/testing/seed-report-patient";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";
import { sampleReportContext } from "@/lib/templates/sample-context";
import { syncSystemTemplates } from "@/lib/templates/sync-system-templates";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

type TJson = Record<string, unknown>;
type THandler = (request: Request, context: { params: Promise<Record<string, never>> }) => Promise<Response>;

const FIXTURES = path.join(process.cwd(), "tests/fixtures/product-spec");
const example = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), "utf8")) as TJson;
const SPEC_TEMPLATE = readFileSync(path.join(FIXTURES, "progress-report.html.liquid"), "utf8");
const RESPONSES = example("responses.json") as Record<"export_created" | "jobs_list" | "job_status" | "insurance_claim", TJson>;

/** The spec's "uuid" placeholders replaced by real ids, field by field; nothing else of the example changes. */
function withIds(body: TJson, ids: Record<string, string | string[]>): TJson {
  const out = structuredClone(body);
  for (const [field, id] of Object.entries(ids)) {
    expect(out, `the example has ${field}`).toHaveProperty(field);
    out[field] = id;
  }

  return out;
}

const jsonType = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

/** Every key of the spec's example is in the answer, with a value of the same JSON type (lists: their first item too). */
function expectSpecShape(actual: unknown, spec: unknown, where = "$") {
  expect(jsonType(actual), where).toBe(jsonType(spec));
  if (Array.isArray(spec) && Array.isArray(actual)) {
    if (spec.length && actual.length) expectSpecShape(actual[0], spec[0], `${where}[0]`);
  } else if (spec && typeof spec === "object") {
    for (const [key, value] of Object.entries(spec)) {
      expect(actual, where).toHaveProperty(key);
      expectSpecShape((actual as TJson)[key], value, `${where}.${key}`);
    }
  }
}

async function download(jobId: string, token: string) {
  const request = new Request(`http://127.0.0.1:3999/api/v1/export/download/${jobId}`, { headers: { "user-agent": "vitest", authorization: `Bearer ${token}` } });
  const response = await downloadRoute(request, { params: Promise.resolve({ id: jobId }) });

  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

const flat = (text: string | null) => (text ?? "").replace(/\s+/g, " ");

let world: Awaited<ReturnType<typeof setUp>>;

async function setUp() {
  const { user: therapist } = await createUser({ role: "THERAPIST", name: "Dana Whitfield" });
  const { user: admin } = await createUser({ role: "ADMIN" });
  const seeded = await seedReportPatient({ assignedTo: therapist.id });
  // What startup does: the built-in templates are in the list the session-notes example picks from.
  await syncSystemTemplates(prisma);

  return { therapist, admin, token: await tokenFor(therapist.id), adminToken: await tokenFor(admin.id), ...seeded, jobs: {} as Record<string, string>, specTemplateId: "" };
}

beforeAll(async () => {
  world = await setUp();
});

describe("the product spec's examples, sent as written", () => {
  it("the five report exports are accepted with the spec's 202 answer", async () => {
    const { token, patient, plan, sessions } = world;
    const templates = await call(listTemplatesRoute, { path: "/api/v1/export/templates?export_type=session_notes", token });
    const sessionNotesTemplate = (templates.json.templates as TJson[]).find((template) => template.is_system)!;

    const requests: [string, THandler, TJson][] = [
      ["session_notes", sessionNotesRoute, withIds(example("session-notes.request.json"), { session_ids: [sessions[0]!.id, sessions[1]!.id], template_id: sessionNotesTemplate.id as string })],
      ["progress_report", progressRoute, withIds(example("progress-report.request.json"), { patient_id: patient.id })],
      ["treatment_summary", treatmentSummaryRoute, withIds(example("treatment-summary.request.json"), { patient_id: patient.id, treatment_plan_id: plan.id })],
      ["full_record", fullRecordRoute, withIds(example("full-record.request.json"), { patient_id: patient.id })],
      ["insurance_report", insuranceRoute, withIds(example("insurance-report.request.json"), { patient_id: patient.id })],
    ];
    for (const [exportType, route, body] of requests) {
      const response = await call(route, { path: `/api/v1/export/${exportType}`, token, body });
      expect(response.status, `${exportType}: ${response.text}`).toBe(202);
      expectSpecShape(response.json, RESPONSES.export_created);
      expect(response.json.status).toBe("processing");
      world.jobs[exportType] = response.json.job_id as string;
    }
    // The job itself is honest about waiting for a worker.
    expect((await call(getJobRoute, { token, params: { id: world.jobs.progress_report! } })).json.status).toBe("pending");
  });

  it("jobs: the list and a job's status in the spec's shape; the download serves the file; delete removes it", async () => {
    const { token, patient, jobs } = world;
    expect(await drainJobs()).toEqual(Array(5).fill("completed"));

    const list = await call(listJobsRoute, { path: `/api/v1/export/jobs?status=completed&patient_id=${patient.id}&limit=20`, token });
    expect(list.status).toBe(200);
    expectSpecShape(list.json, RESPONSES.jobs_list);
    const listed = list.json.jobs as TJson[];
    expect(listed.map((job) => job.id).sort()).toEqual(Object.values(jobs).sort());
    for (const job of listed) {
      expectSpecShape(job, (RESPONSES.jobs_list.jobs as TJson[])[0]);
      expect(job).toMatchObject({ status: "completed", patient_name: `${patient.givenName} ${patient.familyName}` });
      expect(job.file_size_bytes).toBe(job.file_size);
      expect(job.file_size_bytes as number).toBeGreaterThan(0);
    }

    for (const [exportType, jobId] of Object.entries(jobs)) {
      const status = await call(getJobRoute, { token, params: { id: jobId } });
      expect(status.status).toBe(200);
      expectSpecShape(status.json, RESPONSES.job_status);
      expect(status.json.download_url).toMatch(new RegExp(`/api/v1/export/download/${jobId}\\?`));

      const file = await download(jobId, token);
      expect(file.status, exportType).toBe(200);
      expect(file.body.length).toBe(status.json.file_size_bytes);
    }
    expect((await download(jobs.session_notes!, token)).body.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect((await download(jobs.treatment_summary!, token)).body.subarray(0, 2).toString("latin1")).toBe("PK");
    expect(JSON.parse((await download(jobs.full_record!, token)).body.toString("utf8"))).toMatchObject({ export_type: "full_record", period: { start: "2023-01-01", end: "2024-03-10" } });

    const deleted = await call(deleteJobRoute, { method: "DELETE", token, params: { id: jobs.progress_report! } });
    expect(deleted.status).toBe(204);
    expect((await call(getJobRoute, { token, params: { id: jobs.progress_report! } })).status).toBe(404);
    expect((await download(jobs.progress_report!, token)).status).toBe(404);
  });

  it("the insurance report's JSON carries the spec's claim_info and clinical_summary", async () => {
    const { token, patient, jobs } = world;
    const report = JSON.parse((await download(jobs.insurance_report!, token)).body.toString("utf8")) as TJson;

    expectSpecShape(report, RESPONSES.insurance_claim);
    expect(report.claim_info).toEqual({
      provider_npi: "1234567893",
      provider_name: "Dana Whitfield, LCSW",
      patient_id: patient.insuranceMemberId,
      diagnosis_codes: ["F33.1"],
      procedure_codes: ["90837"],
      service_dates: ["2026-01-05", "2026-01-19", "2026-02-02", "2026-03-16"],
      total_units: 4,
    });
    const summary = report.summary as TJson;
    expect(report.clinical_summary).toEqual({ presenting_problem: summary.presenting_problem, treatment_provided: summary.treatment_provided, progress: summary.progress, medical_necessity: summary.medical_necessity });
    expect(summary.medical_necessity).toMatch(/Major depressive disorder/);
  });

  it("templates: the list names the catalog of sections; the spec's POST example is accepted with its section names mapped to ours; preview", async () => {
    const { token, adminToken } = world;
    const list = await call(listTemplatesRoute, { path: "/api/v1/export/templates", token });
    expect(list.status).toBe(200);
    // The spec's export_templates columns, on every template.
    for (const template of list.json.templates as TJson[]) {
      for (const field of ["id", "name", "description", "export_type", "format", "include_sections", "is_system", "created_by", "created_at", "updated_at"]) expect(template).toHaveProperty(field);
    }
    const catalog = (list.json.sections as Record<string, { sections: { name: string }[]; aliases: { name: string; sections: string[] }[] }>).progress_report!;
    expect(catalog.sections.map((section) => section.name)).toContain("goal_progress");
    expect(catalog.aliases).toEqual(expect.arrayContaining([expect.objectContaining({ name: "progress", sections: ["goal_progress"] }), expect.objectContaining({ name: "medical_necessity", sections: ["recommendations"] })]));

    const created = await call(createTemplateRoute, { path: "/api/v1/export/templates", token: adminToken, body: example("template-create.request.json") });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ name: "Insurance Progress Report", description: "Formatted for insurance claims", export_type: "progress_report", format: "pdf", template_content: "<html>...</html>" });
    expect(created.json.include_sections).toMatchObject({ patient_info: true, diagnosis: true, treatment_goals: true, goal_progress: true, recommendations: true, progress: true, medical_necessity: true });
    const stored = await prisma.exportTemplate.findUniqueOrThrow({ where: { id: created.json.id as string } });
    expect(Object.keys(stored.includeSections as object)).not.toContain("progress");
    world.specTemplateId = created.json.id as string;

    const unknown = await call(createTemplateRoute, { path: "/api/v1/export/templates", token: adminToken, body: { ...example("template-create.request.json"), include_sections: { progress: true, billing_codes: true } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.issues).toEqual([{ path: "include_sections.billing_codes", message: expect.stringMatching(/^unknown section for progress_report; known: .*the product spec's names/) }]);

    const preview = await call(previewRoute, { path: `/api/v1/export/templates/${world.specTemplateId}/preview`, token, body: { format: "pdf" }, params: { id: world.specTemplateId } });
    expect(preview.status).toBe(200);
    expect(preview.headers.get("content-type")).toBe("application/pdf");
  });

  it("the spec's progress-report template renders verbatim to PDF and DOCX through a real export", async () => {
    const { token, adminToken, patient } = world;
    const created = await call(createTemplateRoute, {
      path: "/api/v1/export/templates",
      token: adminToken,
      body: { name: "The spec's progress report", export_type: "progress_report", format: "pdf", template_content: SPEC_TEMPLATE },
    });
    expect(created.status, created.text).toBe(201);
    const report = { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", template_id: created.json.id };
    const queue = async (body: TJson) => (await call(progressRoute, { path: "/api/v1/export/progress-report", token, body: { ...report, ...body } })).json.job_id as string;
    const pdfJob = await queue({ format: "pdf" });
    const docxJob = await queue({ format: "docx" });
    const withoutJob = await queue({ format: "docx", include_sections: { diagnosis: false, treatment_goals: false, goal_progress: false } });
    expect(await drainJobs()).toEqual(["completed", "completed", "completed"]);

    const expected = [
      "Progress Report",
      `Patient: ${patient.givenName} ${patient.familyName}`,
      "Period: 2026-01-01 - 2026-03-31",
      "Prepared by: Dana Whitfield, LCSW",
      "Diagnosis",
      "F33.1",
      "Major depressive disorder, recurrent, moderate",
      "Treatment Goals & Progress",
      "Reduce depressive symptoms",
      "69%",
    ];
    const pdf = pdfText((await download(pdfJob, token)).body);
    if (pdf !== null) for (const part of expected) expect(flat(pdf)).toContain(part);
    const docx = flat(docxText(readZipEntry((await download(docxJob, token)).body, "word/document.xml")!));
    for (const part of expected) expect(docx).toContain(part);
    expect(docx).toMatch(/Reduce depressive symptoms 18 9 69%/);

    const without = flat(docxText(readZipEntry((await download(withoutJob, token)).body, "word/document.xml")!));
    expect(without).toContain("Prepared by: Dana Whitfield, LCSW");
    for (const part of ["Diagnosis", "F33.1", "Treatment Goals", "69%"]) expect(without).not.toContain(part);
  });

  it("a real report context has the same fields as the editor's sample (aliases included)", async () => {
    const request = parseReportRequest("progress_report", { patient_id: world.patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "json" });
    const real = await buildReportContext(request, { userId: world.therapist.id });
    const sample = sampleReportContext("progress_report");
    const expectSameFields = (a: unknown, b: unknown, where: string) => {
      if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length && b.length) expectSameFields(a[0], b[0], `${where}[0]`);
      } else if (a && b && typeof a === "object" && typeof b === "object") {
        expect(Object.keys(a).sort(), where).toEqual(Object.keys(b).sort());
        for (const key of Object.keys(a)) expectSameFields((a as TJson)[key], (b as TJson)[key], `${where}.${key}`);
      }
    };

    expectSameFields(real, sample, "$");
    expect(real).toMatchObject({ start_date: "2026-01-01", end_date: "2026-03-31", goals: [{ progress_percent: 69, progress_percentage: 69 }], include_sections: { goals: true, progress: true } });
    expect(real.summary.medical_necessity).toMatch(/Continued treatment/);

    // The spec's medical_necessity section is our recommendations: off, its statement leaves every format.
    const withoutRecommendations = await buildReportContext(parseReportRequest("progress_report", { ...request, include_sections: { recommendations: false } }), { userId: world.therapist.id });
    expect(withoutRecommendations.include_sections).toMatchObject({ recommendations: false, medical_necessity: false });
    expect(withoutRecommendations.summary).toMatchObject({ recommendations: null, prognosis: null, medical_necessity: null });
  });

  it("scheduled: the spec's example, which gives no period, is created with the period of its monthly rule, listed, and its run covers the previous month", async () => {
    const { token, therapist, patient } = world;
    const body = withIds(example("scheduled-create.request.json"), { template_id: world.specTemplateId, patient_id: patient.id });
    const created = await call(createScheduleRoute, { path: "/api/v1/export/scheduled", token, body });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      template_id: world.specTemplateId,
      patient_id: patient.id,
      schedule_type: "monthly",
      schedule_config: { day_of_month: 1, time: "08:00" },
      parameters: body.parameters,
      delivery_method: "email",
      delivery_target: therapist.email,
      is_active: true,
      period: "previous_month",
      period_defaulted: true,
    });
    expect(created.json.next_run_local).toMatch(/^\d{4}-\d{2}-01 08:00$/);

    const listed = await call(listSchedulesRoute, { path: "/api/v1/export/scheduled", token });
    expect(listed.status).toBe(200);
    expect(listed.json.schedules).toEqual([expect.objectContaining({ id: created.json.id, period: "previous_month", period_defaulted: true })]);

    const tick = await runSchedulerTick(new Date(created.json.next_run_at as string));
    expect(tick.runs).toEqual([expect.objectContaining({ scheduleId: created.json.id, status: "queued" })]);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: tick.runs[0]!.jobId! } });
    const [year, month] = (created.json.next_run_local as string).split("-").map(Number) as [number, number];
    const previous = new Date(Date.UTC(year, month - 2, 1));
    const lastDay = new Date(Date.UTC(year, month - 1, 0)).getUTCDate();
    const monthText = previous.toISOString().slice(0, 7);
    expect(job.parameters).toMatchObject({ export_type: "progress_report", start_date: `${monthText}-01`, end_date: `${monthText}-${String(lastDay).padStart(2, "0")}` });
  });
});
