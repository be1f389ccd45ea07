// A therapist previews a report in the page before exporting it (issue 23, item 6), and a
// finished PDF can open in the browser instead of being saved.
import { describe, expect, it } from "vitest";

import { GET as downloadRoute } from "@/app/api/v1/export/download/[id]/route";
import { POST as previewRoute } from "@/app/api/v1/export/preview/[type]/route";
import { prisma } from "@/lib/db/client";
import { pdfText } from "@/lib/render/testing/pdf-text";
import { seedReportPatient } from "@/lib/reports/testing/seed-report-patient";

import { assignPatient, createPatient, createUser } from "../setup/fixtures";
import { completeJobWithoutHooks } from "./schedule-helpers";
import { tokenFor } from "../setup/http";

async function preview(token: string, type: string, body: unknown) {
  const request = new Request(`http://127.0.0.1:3999/api/v1/export/preview/${type}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "user-agent": "vitest" }, body: JSON.stringify(body) });
  const response = await previewRoute(request, { params: Promise.resolve({ type }) });

  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

describe("report preview", () => {
  it("renders the patient's report with the chosen period and sections as an inline PDF, queues nothing, and audits the view", async () => {
    const { user } = await createUser({ role: "THERAPIST", name: "Dana Whitfield" });
    const { patient } = await seedReportPatient({ assignedTo: user.id });
    const token = await tokenFor(user.id);
    const jobsBefore = await prisma.exportJob.count();

    const shown = await preview(token, "progress-report", { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", format: "docx", include_sections: { diagnosis: true } });
    expect(shown.status).toBe(200);
    expect(shown.headers.get("content-type")).toBe("application/pdf");
    expect(shown.headers.get("content-disposition")).toBe('inline; filename="report-preview.pdf"');
    const text = pdfText(shown.body) ?? "";
    expect(text).toContain("F33.1");
    expect(text).toContain("2026-01-01");

    const withoutDiagnosis = pdfText((await preview(token, "progress-report", { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", include_sections: { diagnosis: false } })).body) ?? "";
    expect(withoutDiagnosis).not.toContain("F33.1");
    expect(await prisma.exportJob.count()).toBe(jobsBefore);
    expect(await prisma.exportAuditLog.count({ where: { action: "patient_viewed", userId: user.id, patientId: patient.id } })).toBe(2);
  });

  it("answers another therapist's patient like a missing one, and a bad period with the field named", async () => {
    const { user } = await createUser({ role: "THERAPIST" });
    const token = await tokenFor(user.id);
    const foreign = await createPatient();
    expect((await preview(token, "progress-report", { patient_id: foreign.id, start_date: "2026-01-01", end_date: "2026-03-31" })).status).toBe(404);
    const bad = await preview(token, "progress-report", { patient_id: foreign.id, start_date: "2026-03-01", end_date: "2026-01-01" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString("utf8")).issues[0].path).toBe("end_date");
  });

  it("opens a finished PDF inline when asked, and saves anything else", async () => {
    const { user } = await createUser({ role: "THERAPIST" });
    const token = await tokenFor(user.id);
    const patient = await createPatient();
    await assignPatient(user.id, patient.id);
    const stored = async (mimeType: string, fileName: string) => {
      const job = await prisma.exportJob.create({ data: { kind: "report", exportType: "progress_report", format: "pdf", status: "PENDING", userId: user.id, patientId: patient.id, parameters: {} } });
      await completeJobWithoutHooks(job.id, Buffer.from("%PDF-1.4 test"), { mimeType, fileName });

      return job.id;
    };
    const disposition = async (jobId: string, query: string) => {
      const response = await downloadRoute(new Request(`http://127.0.0.1:3999/api/v1/export/download/${jobId}${query}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id: jobId }) });
      // Read to the end: cancelling a Readable.toWeb stream mid-way trips a Node stream error.
      await response.arrayBuffer();

      return { status: response.status, disposition: response.headers.get("content-disposition") };
    };
    const pdf = await stored("application/pdf", "progress_report.pdf");
    expect(await disposition(pdf, "?disposition=inline")).toEqual({ status: 200, disposition: 'inline; filename="progress_report.pdf"' });
    expect(await disposition(pdf, "")).toEqual({ status: 200, disposition: 'attachment; filename="progress_report.pdf"' });
    const docx = await stored("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "progress_report.docx");
    expect((await disposition(docx, "?disposition=inline")).disposition).toBe('attachment; filename="progress_report.docx"');
    expect((await disposition(pdf, "?disposition=sideways")).status).toBe(400);
  });
});
