// Downloads re-ask the policy with today's facts (policy job.download): an export's file goes to
// its owner only while the owner could still make it, by session, token or signed link alike; a
// dataset never goes by signed link. Jobs and files are made directly, so each fact can be changed.
import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { GET as datasetDownloadRoute } from "@/app/api/v1/datasets/exports/[id]/download/route";
import { GET as datasetJobRoute } from "@/app/api/v1/datasets/exports/[id]/route";
import { GET as downloadRoute } from "@/app/api/v1/export/download/[id]/route";
import { GET as jobEventsRoute } from "@/app/api/v1/export/jobs/[id]/events/route";
import { GET as jobRoute } from "@/app/api/v1/export/jobs/[id]/route";
import { GET as jobListRoute } from "@/app/api/v1/export/jobs/route";
import type { Prisma } from "@/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { signDownloadLink } from "@/lib/jobs/download-link";
import { storage } from "@/lib/storage";

import { assignPatient, createPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

type TJobFacts = { userId: string; kind: "report" | "dataset"; patientId?: string | null; parameters?: Prisma.InputJsonObject };

/** A completed job with its (encrypted) file in storage, as the worker leaves it. */
async function completedJob({ userId, kind, patientId = null, parameters = {} }: TJobFacts) {
  const body = Buffer.from(JSON.stringify({ kind, marker: randomBytes(4).toString("hex") }));
  const job = await prisma.exportJob.create({
    data: {
      kind,
      exportType: kind === "dataset" ? "dataset" : "progress_report",
      format: kind === "dataset" ? "zip" : "json",
      status: "COMPLETED",
      userId,
      patientId,
      parameters,
      progressPercent: 100,
      completedAt: new Date(),
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  const fileKey = `${userId}/${job.id}/export.${kind === "dataset" ? "zip" : "json"}`;
  const stored = await storage().put(fileKey, body);

  return prisma.exportJob.update({
    where: { id: job.id },
    data: { fileKey, fileName: kind === "dataset" ? "dataset.zip" : "report.json", mimeType: "application/octet-stream", fileSize: stored.size, checksum: stored.checksum },
  });
}

type THandler = typeof downloadRoute;

async function fetchFile(handler: THandler, path: string, jobId: string, options: { token?: string; query?: string } = {}) {
  return call(handler, { path: `${path}${options.query ?? ""}`, token: options.token, params: { id: jobId } });
}

const byLink = (jobId: string, query: string) => fetchFile(downloadRoute, `/api/v1/export/download/${jobId}`, jobId, { query });
const byToken = (jobId: string, token: string) => fetchFile(downloadRoute, `/api/v1/export/download/${jobId}`, jobId, { token });
const datasetFile = (jobId: string, options: { token?: string; query?: string } = {}) => fetchFile(datasetDownloadRoute, `/api/v1/datasets/exports/${jobId}/download`, jobId, options);

function linkQuery(jobId: string) {
  const { path } = signDownloadLink(jobId, 24);

  return path.slice(path.indexOf("?"));
}

async function lastDenial(jobId: string) {
  return prisma.exportAuditLog.findFirst({ where: { action: "access_denied", exportJobId: jobId }, orderBy: { seq: "desc" } });
}

async function downloadsOf(jobId: string) {
  return prisma.exportAuditLog.count({ where: { action: "downloaded", exportJobId: jobId } });
}

describe("report downloads re-check the owner's access", () => {
  it("a therapist unassigned from the patient can no longer download, neither signed in nor by link", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const patient = await createPatient();
    const assignment = await assignPatient(therapist.id, patient.id);
    const token = await tokenFor(therapist.id);
    const job = await completedJob({ userId: therapist.id, kind: "report", patientId: patient.id });

    const view = await call(jobRoute, { token, params: { id: job.id } });
    const query = new URL(view.json.download_url as string).search;
    expect((await byToken(job.id, token)).status).toBe(200);
    expect((await byLink(job.id, query)).status).toBe(200);
    expect(await downloadsOf(job.id)).toBe(2);

    await prisma.patientAssignment.delete({ where: { id: assignment.id } });

    const signedIn = await byToken(job.id, token);
    expect(signedIn.status).toBe(404);
    expect(await lastDenial(job.id)).toMatchObject({ userId: therapist.id, patientId: patient.id, actorLabel: null, metadata: { policyAction: "job.download", status: 404 } });
    const linked = await byLink(job.id, query);
    expect(linked.status).toBe(404);
    expect(linked.text).not.toContain("marker");
    expect(await lastDenial(job.id)).toMatchObject({ userId: therapist.id, actorLabel: "signed-link", metadata: { policyAction: "job.download", status: 404 } });
    expect(await downloadsOf(job.id)).toBe(2);

    // An admin still may (and is audited as the downloader).
    const { user: admin } = await createUser({ role: "ADMIN" });
    expect((await byToken(job.id, await tokenFor(admin.id))).status).toBe(200);
    expect(await prisma.exportAuditLog.count({ where: { action: "downloaded", exportJobId: job.id, userId: admin.id } })).toBe(1);
  });

  it("an unassigned therapist's own job no longer names the patient: detail and progress are 404, the list keeps it unnamed", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const patient = await createPatient({ familyName: "Quillfeather" });
    const assignment = await assignPatient(therapist.id, patient.id);
    const token = await tokenFor(therapist.id);
    const job = await completedJob({ userId: therapist.id, kind: "report", patientId: patient.id });

    const before = await call(jobRoute, { token, params: { id: job.id } });
    expect(before.status).toBe(200);
    expect(before.json).toMatchObject({ patient_id: patient.id, patient_name: expect.stringContaining("Quillfeather") });

    await prisma.patientAssignment.delete({ where: { id: assignment.id } });

    const detail = await call(jobRoute, { token, params: { id: job.id } });
    expect(detail.status).toBe(404);
    expect(detail.text).not.toContain("Quillfeather");
    expect(detail.text).not.toContain(patient.id);
    expect(await lastDenial(job.id)).toMatchObject({ userId: therapist.id, metadata: { policyAction: "job.read", status: 404 } });
    const events = await call(jobEventsRoute, { token, params: { id: job.id } });
    expect(events.status).toBe(404);

    const listed = await call(jobListRoute, { path: "/api/v1/export/jobs", token });
    expect(listed.status).toBe(200);
    const [row] = listed.json.jobs as Record<string, unknown>[];
    expect(row).toMatchObject({ id: job.id, patient_id: null, patient_name: null, file_name: null, download_url: null });
    expect(listed.text).not.toContain("Quillfeather");
    expect(listed.text).not.toContain(patient.id);

    // An admin still sees the job whole.
    const { user: admin } = await createUser({ role: "ADMIN" });
    const asAdmin = await call(jobRoute, { token: await tokenFor(admin.id), params: { id: job.id } });
    expect(asAdmin.json).toMatchObject({ patient_id: patient.id });
  });

  it("a ZIP of several patients' notes needs every one of them still assigned", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const [first, second] = [await createPatient(), await createPatient()];
    await assignPatient(therapist.id, first.id);
    const kept = await assignPatient(therapist.id, second.id);
    const encounter = (patientId: string) =>
      prisma.encounter.create({ data: { fhirId: `enc-${randomBytes(4).toString("hex")}`, patientId, status: "finished", startAt: new Date("2026-02-01T10:00:00Z"), raw: {} } });
    const sessions = [await encounter(first.id), await encounter(second.id)];
    const token = await tokenFor(therapist.id);
    const job = await completedJob({ userId: therapist.id, kind: "report", parameters: { export_type: "session_notes", batch: "zip", session_ids: sessions.map((session) => session.id) } });

    expect((await byToken(job.id, token)).status).toBe(200);
    await prisma.patientAssignment.delete({ where: { id: kept.id } });
    expect((await byToken(job.id, token)).status).toBe(404);
    expect(await lastDenial(job.id)).toMatchObject({ userId: therapist.id, metadata: { policyAction: "job.download" } });
  });

  it("a user whose role changed no longer downloads the files of the old role", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const patient = await createPatient();
    await assignPatient(therapist.id, patient.id);
    const job = await completedJob({ userId: therapist.id, kind: "report", patientId: patient.id });
    const query = linkQuery(job.id);

    await prisma.user.update({ where: { id: therapist.id }, data: { role: "ANALYST" } });

    expect((await byToken(job.id, await tokenFor(therapist.id))).status).toBe(403);
    expect((await byLink(job.id, query)).status).toBe(403);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", exportJobId: job.id } })).toBe(2);
    expect(await downloadsOf(job.id)).toBe(0);
  });

  it("a signed link of a disabled owner is refused, and the refusal audited", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const patient = await createPatient();
    await assignPatient(therapist.id, patient.id);
    const job = await completedJob({ userId: therapist.id, kind: "report", patientId: patient.id });
    const query = linkQuery(job.id);
    await prisma.user.update({ where: { id: therapist.id }, data: { isDisabled: true } });

    const response = await byLink(job.id, query);
    expect(response.status).toBe(403);
    expect(await lastDenial(job.id)).toMatchObject({ outcome: "denied", userId: therapist.id, actorLabel: "signed-link", metadata: { status: 403 } });
    expect(await downloadsOf(job.id)).toBe(0);
  });
});

describe("dataset downloads: signed in, by the creator while still allowed, or an admin", () => {
  it("an identified dataset gets no signed link, and a signed link to it is refused (audited)", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST", piiAccess: true });
    const token = await tokenFor(analyst.id);
    const job = await completedJob({ userId: analyst.id, kind: "dataset", parameters: { tier: "pii", datasets: ["patients"] } });

    const view = await call(datasetJobRoute, { token, params: { id: job.id } });
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({ status: "completed", download_url: null, expires_at: job.expiresAt!.toISOString() });

    // A link signed with the server's key, as the job view used to hand out.
    const query = linkQuery(job.id);
    const linked = await byLink(job.id, query);
    expect(linked.status).toBe(403);
    expect(linked.text).not.toContain("marker");
    expect(await lastDenial(job.id)).toMatchObject({ userId: analyst.id, actorLabel: "signed-link", dataset: "pii", metadata: { policyAction: "job.download", status: 403 } });
    // The dataset path takes no link at all: without a sign-in it is a 401.
    expect((await datasetFile(job.id, { query })).status).toBe(401);
    expect(await downloadsOf(job.id)).toBe(0);

    const own = await datasetFile(job.id, { token });
    expect(own.status).toBe(200);
    expect(own.text).toContain("marker");
    expect(await prisma.exportAuditLog.findFirst({ where: { action: "downloaded", exportJobId: job.id } })).toMatchObject({ userId: analyst.id, actorLabel: null });
  });

  it("not even an admin's own dataset goes by signed link", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const job = await completedJob({ userId: admin.id, kind: "dataset", parameters: { tier: "anon", datasets: ["encounters"] } });

    expect((await call(jobRoute, { token: await tokenFor(admin.id), params: { id: job.id } })).json.download_url).toBeNull();
    expect((await byLink(job.id, linkQuery(job.id))).status).toBe(403);
    expect(await lastDenial(job.id)).toMatchObject({ actorLabel: "signed-link", metadata: { policyAction: "job.download" } });
  });

  it("another analyst gets 404, an admin the file; a withdrawn piiAccess grant or a changed role ends the creator's downloads", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST", piiAccess: true });
    const { user: other } = await createUser({ role: "ANALYST", piiAccess: true });
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(analyst.id);
    const pii = await completedJob({ userId: analyst.id, kind: "dataset", parameters: { tier: "pii", datasets: ["patients"] } });
    const anon = await completedJob({ userId: analyst.id, kind: "dataset", parameters: { tier: "anon", datasets: ["encounters"] } });

    expect((await datasetFile(pii.id, { token: await tokenFor(other.id) })).status).toBe(404);
    expect(await lastDenial(pii.id)).toMatchObject({ userId: other.id, metadata: { policyAction: "job.download", status: 404 } });
    expect((await datasetFile(pii.id, { token: await tokenFor(admin.id) })).status).toBe(200);

    await prisma.user.update({ where: { id: analyst.id }, data: { piiAccess: false } });
    expect((await datasetFile(pii.id, { token })).status).toBe(403);
    expect(await lastDenial(pii.id)).toMatchObject({ userId: analyst.id, dataset: "pii", metadata: { policyAction: "job.download", status: 403 } });
    expect((await byToken(pii.id, token)).status).toBe(403);
    expect((await datasetFile(anon.id, { token })).status).toBe(200);

    await prisma.user.update({ where: { id: analyst.id }, data: { role: "THERAPIST" } });
    expect((await datasetFile(anon.id, { token })).status).toBe(403);
    expect(await lastDenial(anon.id)).toMatchObject({ userId: analyst.id, metadata: { policyAction: "job.download", status: 403 } });
  });

  it("the dataset path serves dataset jobs only", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const patient = await createPatient();
    await assignPatient(therapist.id, patient.id);
    const job = await completedJob({ userId: therapist.id, kind: "report", patientId: patient.id });

    expect((await datasetFile(job.id, { token: await tokenFor(therapist.id) })).status).toBe(404);
  });
});
