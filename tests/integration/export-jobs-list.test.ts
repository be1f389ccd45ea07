// The export lists as people read them: "Expires" is when the file goes (not the signed link's
// moving 24 h), and an admin's list of everyone's exports says who requested each.
import { describe, expect, it } from "vitest";

import { GET as listJobsRoute } from "@/app/api/v1/export/jobs/route";
import { prisma } from "@/lib/db/client";

import { assignPatient, createPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

type TJob = { id: string; expires_at: string | null; file_expires_at: string | null; download_url: string | null; requested_by?: { name: string; email: string } | null };

async function completedReport(userId: string, patientId: string, fileExpiresAt: Date) {
  return prisma.exportJob.create({
    data: {
      kind: "report", exportType: "progress_report", format: "pdf", status: "COMPLETED", userId, patientId, parameters: {},
      fileKey: `k-${userId}`, fileName: "progress_report.pdf", mimeType: "application/pdf", fileSize: 1234, completedAt: new Date(), expiresAt: fileExpiresAt,
    },
  });
}

describe("export job lists", () => {
  it("give every job the file's expiry; the signed link's own expiry is only a detail", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const patient = await createPatient();
    // Still assigned: a therapist's list names the patient and links the file only while they may see them.
    await assignPatient(therapist.id, patient.id);
    const fileExpiry = new Date(Date.now() + 7 * 24 * 3_600_000);
    const job = await completedReport(therapist.id, patient.id, fileExpiry);

    const listed = await call(listJobsRoute, { path: "/api/v1/export/jobs", token: await tokenFor(therapist.id) });
    const row = (listed.json.jobs as TJob[]).find((entry) => entry.id === job.id)!;
    expect(row.file_expires_at).toBe(fileExpiry.toISOString());
    // The link lasts 24 h by default: earlier than the file, and not what the page calls "Expires".
    expect(new Date(row.expires_at!).getTime()).toBeLessThan(fileExpiry.getTime());
    // Links are built on the configured public base.
    expect(row.download_url).toMatch(/^http:\/\/127\.0\.0\.1:3999\/api\/v1\/export\/download\//);
    // A therapist's own list names no requester.
    expect(row).not.toHaveProperty("requested_by");
  });

  it("name who requested each job for an admin", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST", name: "Requesting Therapist" });
    const { user: admin } = await createUser({ role: "ADMIN" });
    const patient = await createPatient();
    const job = await completedReport(therapist.id, patient.id, new Date(Date.now() + 86_400_000));

    const listed = await call(listJobsRoute, { path: "/api/v1/export/jobs?limit=200", token: await tokenFor(admin.id) });
    const row = (listed.json.jobs as TJob[]).find((entry) => entry.id === job.id)!;
    expect(row.requested_by).toEqual({ name: "Requesting Therapist", email: therapist.email });
  });
});
