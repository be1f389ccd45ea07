// "Who opened this patient's record?" (issue 23, item 8): the audit trail names each record's
// patient for admins, and a per-patient access report comes as CSV and PDF, admins only.
import { describe, expect, it } from "vitest";

import { GET as accessReportRoute } from "@/app/api/v1/audit/patients/[id]/access-report/route";
import { GET as listRoute } from "@/app/api/v1/audit/route";
import { recordAudit } from "@/lib/audit/record";
import { parseCsv } from "@/lib/csv/parse-csv";
import { prisma } from "@/lib/db/client";
import { pdfText } from "@/lib/render/testing/pdf-text";

import { createPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

async function report(token: string, patientId: string, format: string) {
  const request = new Request(`http://127.0.0.1:3999/api/v1/audit/patients/${patientId}/access-report?format=${format}`, { headers: { authorization: `Bearer ${token}`, "user-agent": "vitest" } });
  const response = await accessReportRoute(request, { params: Promise.resolve({ id: patientId }) });

  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

describe("patient access in the audit trail", () => {
  it("names the patient of each record for admins and filters by patient", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: therapist } = await createUser({ role: "THERAPIST", name: "Opening Therapist" });
    const patient = await createPatient({ givenName: "Audra", familyName: "Accessreport" });
    await recordAudit(null, { action: "patient_viewed", userId: therapist.id, patientId: patient.id });

    const listed = await call(listRoute, { path: `/api/v1/audit?patient_id=${patient.id}`, token: await tokenFor(admin.id) });
    expect(listed.status).toBe(200);
    expect(listed.json.records).toEqual([expect.objectContaining({ action: "patient_viewed", patient_id: patient.id, patient_name: `Audra ${patient.familyName}`, patient_mrn: patient.mrn, user_name: "Opening Therapist" })]);
  });

  it("reports who opened the record as CSV and PDF, audits the report, and refuses a therapist", async () => {
    const { user: admin } = await createUser({ role: "ADMIN", name: "Auditing Admin" });
    const { user: therapist } = await createUser({ role: "THERAPIST", name: "Opening Therapist" });
    const patient = await createPatient({ givenName: "Audra", familyName: "Accessreport" });
    const other = await createPatient();
    await recordAudit(null, { action: "patient_viewed", userId: therapist.id, patientId: patient.id, meta: { ipAddress: "203.0.113.7", userAgent: "t", via: "web" } });
    await recordAudit(null, { action: "downloaded", userId: therapist.id, patientId: patient.id, metadata: { via: "session" } });
    await recordAudit(null, { action: "patient_viewed", userId: therapist.id, patientId: other.id });
    const token = await tokenFor(admin.id);

    const csv = await report(token, patient.id, "csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="access-report-MRN.+\.csv"$/);
    const rows = parseCsv(csv.body.toString("utf8"));
    expect(rows[0]).toEqual(["time_utc", "user", "user_email", "action", "action_code", "outcome", "ip_address", "via"]);
    expect(rows.slice(1).map((row) => [row[1], row[3], row[6]])).toEqual([
      ["Opening Therapist", "Opened the record", "203.0.113.7"],
      ["Opening Therapist", "Downloaded an export", ""],
      // Asking for the report is an access too, and it is on the record.
      ["Auditing Admin", "Produced an access report", ""],
    ]);

    const pdf = await report(token, patient.id, "pdf");
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const text = pdfText(pdf.body) ?? "";
    expect(text).toContain("Audra");
    expect(text).toContain("Opened the record");
    expect(await prisma.exportAuditLog.count({ where: { action: "audit_exported", userId: admin.id, patientId: patient.id } })).toBe(2);

    expect((await report(await tokenFor(therapist.id), patient.id, "csv")).status).toBe(403);
    expect((await report(token, "no-such-patient", "csv")).status).toBe(404);
    expect((await report(token, patient.id, "xlsx")).status).toBe(400);
  });
});
