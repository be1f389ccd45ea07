// Scheduled pull from a source FHIR server (issue 24 part 2) and the heartbeat (#22 part 3), end to
// end: the source is a second CareExport in its own process and database
// (tests/setup/fhir-source-server.ts: its real route handlers on 127.0.0.1, its own job runner),
// the sync runs here as a fhir_sync job through the real Bulk $export client, the outbound guard
// and the real import. The paged-search fallback has its own file (fhir-source-search-sync.test.ts).
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PATCH as sourcePatch } from "@/app/api/v1/admin/fhir-sources/[id]/route";
import { DELETE as jobDelete } from "@/app/api/v1/export/jobs/[id]/route";
import { POST as syncPost } from "@/app/api/v1/admin/fhir-sources/[id]/sync/route";
import { GET as heartbeatGet } from "@/app/api/v1/heartbeat/route";
import { prisma } from "@/lib/db/client";
import { runDueFhirSyncs } from "@/lib/fhir/sources/run-due-fhir-syncs";
import { drainJobs } from "@/lib/jobs/runner";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { importAtSource, listSources, practice, registerSource, startSourceInstance, syncNow, type TSourceInstance } from "./fhir-source-helpers";

let source: TSourceInstance;
let adminId: string;
let adminToken: string;
let upstreamId: string;

beforeAll(async () => {
  source = await startSourceInstance();
  const { user } = await createUser({ role: "ADMIN" });
  adminId = user.id;
  adminToken = await tokenFor(user.id);
  await importAtSource(source, practice("bk"));
}, 90_000);

afterAll(async () => {
  await source?.stop();
});

const issuesOf = (json: Record<string, unknown>) => (json.issues as { path: string; message: string }[]).map((issue) => issue.path);

describe("FHIR source sync by Bulk $export", () => {
  it("first run takes everything, the next only what changed at the source; the watermark moves with the import", async () => {
    const registered = await registerSource(adminToken, { name: "upstream", base_url: `${source.baseUrl}/`, auth: { type: "bearer", token: source.adminToken } });
    expect(registered.status, registered.text).toBe(201);
    expect(registered.text).not.toContain(source.adminToken);
    expect(registered.json).toMatchObject({ base_url: source.baseUrl, auth: { type: "bearer" }, mode: "auto", watermark: null, schedule: "on request only" });
    upstreamId = registered.json.id as string;
    const stored = await prisma.fhirSource.findUniqueOrThrow({ where: { id: upstreamId } });
    expect(stored.encryptedSecret).not.toContain(source.adminToken);

    const first = await syncNow(adminToken, upstreamId);
    expect(first.job.status, `${first.job.errorMessage} / ${first.run.error}`).toBe("COMPLETED");
    expect(first.run).toMatchObject({ status: "succeeded", method: "bulk", since: null, resourceCount: 12, trigger: "manual" });
    expect(await prisma.patient.count({ where: { fhirId: { startsWith: "bk-pat-" } } })).toBe(2);
    expect(await prisma.sessionNote.count()).toBe(2);
    const firstImport = await prisma.fhirImportRecord.findFirstOrThrow({ where: { fhirSourceId: upstreamId } });
    expect(firstImport).toMatchObject({ sourceKind: "fhir_source", sourceLabel: "upstream", resourceCount: 12, userId: adminId });

    // At the source: one patient's phone changes and a condition is added; the rest stays as it was.
    const [, , patient1] = practice("bk");
    await importAtSource(source, [
      { ...patient1, telecom: [{ system: "phone", value: "413-555-9900" }] },
      { resourceType: "Condition", id: "bk-cond-3", subject: { reference: "Patient/bk-pat-1" }, code: { coding: [{ system: "http://hl7.org/fhir/sid/icd-10-cm", code: "F32.1", display: "Major depressive disorder, single episode, moderate" }] } },
    ]);

    const second = await syncNow(adminToken, upstreamId);
    expect(second.job.status, `${second.job.errorMessage} / ${second.run.error}`).toBe("COMPLETED");
    expect(second.run.since?.toISOString()).toBe(first.run.transactionTime!.toISOString());
    expect(second.run).toMatchObject({ status: "succeeded", method: "bulk", resourceCount: 2 });
    expect(second.run.transactionTime!.getTime()).toBeGreaterThan(first.run.transactionTime!.getTime());
    expect((await prisma.patient.findFirstOrThrow({ where: { fhirId: "bk-pat-1" } })).phone).toBe("413-555-9900");
    expect(await prisma.condition.count({ where: { fhirId: { startsWith: "bk-cond-" } } })).toBe(3);

    // Audited as any job and any import, in the admin's name.
    const audit = await prisma.exportAuditLog.findMany({ where: { exportJobId: second.job.id }, orderBy: { seq: "asc" } });
    expect(audit.map((row) => row.action)).toEqual(["export_created", "export_completed"]);
    const imported = await prisma.exportAuditLog.findMany({ where: { action: "fhir_imported", userId: adminId } });
    expect(imported).toHaveLength(2);
    expect(imported[1]!.metadata).toMatchObject({ total: 2, source: "fhir_source", sourceLabel: "upstream" });

    const listed = await listSources(adminToken);
    expect(listed.json.sources).toEqual([expect.objectContaining({ name: "upstream", watermark: second.run.transactionTime!.toISOString(), last_sync: expect.objectContaining({ status: "succeeded", resource_count: 2 }) })]);
  }, 120_000);

  it("a sync whose job is removed before it runs ends at once as failed, and the next sync can start", async () => {
    const path = `/api/v1/admin/fhir-sources/${upstreamId}/sync`;
    const queued = await call(syncPost, { method: "POST", path, token: adminToken, params: { id: upstreamId } });
    expect(queued.status, queued.text).toBe(202);
    const run = await prisma.fhirSourceSync.findUniqueOrThrow({ where: { id: queued.json.id as string } });
    expect(run.status).toBe("queued");
    const removed = await call(jobDelete, { method: "DELETE", path: `/api/v1/export/jobs/${run.jobId}`, token: adminToken, params: { id: run.jobId! } });
    expect(removed.status, removed.text).toBe(204);
    const ended = await prisma.fhirSourceSync.findUniqueOrThrow({ where: { id: run.id } });
    expect(ended).toMatchObject({ status: "failed", error: "the sync's job was removed before it finished" });
    expect(ended.completedAt).not.toBeNull();

    const next = await syncNow(adminToken, upstreamId);
    expect(next.job.status, `${next.job.errorMessage} / ${next.run.error}`).toBe("COMPLETED");
  });

  it("signs in with SMART Backend Services (a private key kept encrypted) and downloads the files with the access token", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS384", { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: "sync-key", alg: "RS384" };
    const clientAnswer = await fetch(source.baseUrl.replace(/\/api\/fhir$/, "/api/v1/admin/fhir-clients"), {
      method: "POST",
      headers: { authorization: `Bearer ${source.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "careexport target", role: "admin", jwks: { keys: [publicJwk] }, scopes: ["system/*.read"] }),
    });
    expect(clientAnswer.status).toBe(201);
    const clientId = ((await clientAnswer.json()) as { client_id: string }).client_id;
    const privateJwk = { ...(await exportJWK(privateKey)), kid: "sync-key" };

    const registered = await registerSource(adminToken, { name: "upstream-smart", base_url: source.baseUrl, auth: { type: "smart", client_id: clientId, private_key: privateJwk } });
    expect(registered.status, registered.text).toBe(201);
    expect(registered.text).not.toContain(String(privateJwk.d));
    expect(registered.json.auth).toEqual({ type: "smart", client_id: clientId, token_url: null, scope: null });

    const { run, job } = await syncNow(adminToken, registered.json.id as string);
    expect(job.status, `${job.errorMessage} / ${run.error}`).toBe("COMPLETED");
    // A source of its own: its first run takes everything (all of it already here, so unchanged).
    expect(run).toMatchObject({ status: "succeeded", method: "bulk", since: null, resourceCount: 13 });
  }, 90_000);

  it("a run the source refuses imports nothing and leaves the watermark; the reason names the status, not the token", async () => {
    const registered = await registerSource(adminToken, { name: "wrong-token", base_url: source.baseUrl, auth: { type: "bearer", token: "not-a-valid-token-000" } });
    const sourceId = registered.json.id as string;
    const { run, job } = await syncNow(adminToken, sourceId);
    expect(job.status).toBe("FAILED");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/\$export kick-off: 127\.0\.0\.1:\d+\/api\/fhir\/\$export answered HTTP 401/);
    expect(job.errorMessage).toContain("HTTP 401");
    expect(await prisma.fhirImportRecord.count({ where: { fhirSourceId: sourceId } })).toBe(0);
    expect((await prisma.exportAuditLog.findFirstOrThrow({ where: { exportJobId: job.id, action: "export_failed" } })).outcome).toBe("failure");
    // Not stuck: the next request queues a new run.
    const again = await syncNow(adminToken, sourceId);
    expect(again.run.id).not.toBe(run.id);
  }, 60_000);

  it("a schedule queues each due sync once as the registering admin; a run with nothing new still moves the watermark", async () => {
    const patched = await call(sourcePatch, { method: "PATCH", path: `/api/v1/admin/fhir-sources/${upstreamId}`, token: adminToken, params: { id: upstreamId }, body: { schedule_type: "daily", schedule_config: { time: "02:00", timezone: "UTC" } } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.schedule).toMatch(/Daily at 02:00/);
    expect(Date.parse(patched.json.next_sync_at as string)).toBeGreaterThan(Date.now());
    const before = await prisma.fhirSourceSync.findFirstOrThrow({ where: { sourceId: upstreamId, status: "succeeded" }, orderBy: { completedAt: "desc" } });

    await prisma.fhirSource.update({ where: { id: upstreamId }, data: { nextSyncAt: new Date(Date.now() - 60_000) } });
    const now = new Date();
    const [ticked, again] = await Promise.all([runDueFhirSyncs(now), runDueFhirSyncs(now)]);
    expect([...ticked, ...again]).toEqual([{ sourceId: upstreamId, outcome: "queued" }]);
    await drainJobs();
    const run = await prisma.fhirSourceSync.findFirstOrThrow({ where: { sourceId: upstreamId, trigger: "scheduled" } });
    expect(run).toMatchObject({ status: "succeeded", resourceCount: 0 });
    expect(run.since?.toISOString()).toBe(before.transactionTime!.toISOString());
    expect(run.transactionTime!.getTime()).toBeGreaterThan(before.transactionTime!.getTime());
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: run.jobId! } });
    expect(job.userId).toBe(adminId);
    expect((await prisma.fhirSource.findUniqueOrThrow({ where: { id: upstreamId } })).nextSyncAt!.getTime()).toBeGreaterThan(Date.now());
  }, 60_000);

  it("refuses bad registrations with the field and reason, and non-admins", async () => {
    const bad = await registerSource(adminToken, { name: "bad", base_url: "ftp://example.org/fhir", auth: { type: "none" } });
    expect(bad.status).toBe(400);
    expect(issuesOf(bad.json)).toEqual(["base_url"]);
    const privateAddress = await registerSource(adminToken, { name: "inside", base_url: "http://10.1.2.3/fhir", auth: { type: "none" } });
    expect(privateAddress.status).toBe(400);
    expect(issuesOf(privateAddress.json)).toEqual(["base_url"]);
    const badKey = await registerSource(adminToken, { name: "badkey", base_url: source.baseUrl, auth: { type: "smart", client_id: "x", private_key: { kty: "RSA", n: "abc", e: "AQAB" } } });
    expect(badKey.status).toBe(400);
    expect(issuesOf(badKey.json)[0]).toMatch(/^auth/);
    const badTypes = await registerSource(adminToken, { name: "badtypes", base_url: source.baseUrl, auth: { type: "none" }, resource_types: ["Patient", "Binary"] });
    expect(badTypes.status).toBe(400);
    expect(issuesOf(badTypes.json)[0]).toMatch(/^resource_types/);
    const duplicate = await registerSource(adminToken, { name: "upstream", base_url: source.baseUrl, auth: { type: "none" } });
    expect(duplicate.status).toBe(409);
    expect(await prisma.fhirSource.count({ where: { name: { in: ["bad", "inside", "badkey", "badtypes"] } } })).toBe(0);

    const { user: analyst } = await createUser({ role: "ANALYST" });
    const refused = await registerSource(await tokenFor(analyst.id), { name: "mine", base_url: source.baseUrl, auth: { type: "none" } });
    expect(refused.status).toBe(403);
    expect(await prisma.exportAuditLog.count({ where: { userId: analyst.id, action: "access_denied" } })).toBe(1);
  });
});

describe("GET /api/v1/heartbeat", () => {
  it("answers the last import per source and overall, each source's last sync and watermark, and only the caller's own schedules", async () => {
    const schedule = await prisma.scheduledReport.create({
      data: { userId: adminId, name: "Nightly anon", exportType: "dataset", format: "zip", scheduleType: "daily", scheduleConfig: { time: "01:00", timezone: "UTC" }, parameters: {}, deliveryMethod: "storage" },
    });
    // The watermark is the start of the delivered run's export job (lib/schedules/incremental-watermark.ts).
    const deliveredJob = await prisma.exportJob.create({ data: { kind: "dataset", exportType: "dataset", format: "zip", userId: adminId, parameters: {}, status: "COMPLETED", startedAt: new Date("2026-12-01T01:00:05Z") } });
    await prisma.scheduleRun.create({ data: { scheduleId: schedule.id, scheduledFor: new Date("2026-12-01T01:00:00Z"), status: "delivered", deliveredAt: new Date("2026-12-01T01:02:00Z"), jobId: deliveredJob.id } });
    await prisma.scheduleRun.create({ data: { scheduleId: schedule.id, scheduledFor: new Date("2026-12-02T01:00:00Z"), status: "failed" } });
    const { user: other } = await createUser({ role: "ANALYST" });
    await prisma.scheduledReport.create({ data: { userId: other.id, name: "Someone else's", exportType: "dataset", format: "zip", scheduleType: "daily", scheduleConfig: { time: "01:00", timezone: "UTC" }, parameters: {}, deliveryMethod: "storage" } });

    const answer = await call(heartbeatGet, { path: "/api/v1/heartbeat", token: adminToken });
    expect(answer.status, answer.text).toBe(200);
    const body = answer.json as unknown as {
      imports: { last_completed_at: string; by_source: { kind: string; source: string; last_completed_at: string; imports: number }[] };
      fhir_sources: { name: string; last_sync: { status: string } | null; watermark: string | null; last_successful_sync_at: string | null }[];
      schedules: { id: string; watermark: string | null; last_successful_run: { delivered_at: string } | null }[];
    };
    const latestImport = await prisma.fhirImportRecord.findFirstOrThrow({ orderBy: { completedAt: "desc" } });
    expect(body.imports.last_completed_at).toBe(latestImport.completedAt.toISOString());
    expect(body.imports.by_source).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "fhir_source", source: "upstream", imports: 2 }), expect.objectContaining({ kind: "fhir_source", source: "upstream-smart", imports: 1 })]));
    const upstreamRun = await prisma.fhirSourceSync.findFirstOrThrow({ where: { sourceId: upstreamId, status: "succeeded" }, orderBy: { completedAt: "desc" } });
    expect(body.fhir_sources.find((entry) => entry.name === "upstream")).toMatchObject({ last_sync: { status: "succeeded" }, watermark: upstreamRun.transactionTime!.toISOString(), last_successful_sync_at: upstreamRun.completedAt!.toISOString() });
    expect(body.fhir_sources.find((entry) => entry.name === "wrong-token")).toMatchObject({ last_sync: { status: "failed" }, watermark: null, last_successful_sync_at: null });
    expect(answer.text).not.toContain(source.adminToken);
    expect(answer.text).not.toContain("127.0.0.1");
    expect(body.schedules).toEqual([expect.objectContaining({ id: schedule.id, watermark: "2026-12-01T01:00:05.000Z", last_successful_run: expect.objectContaining({ delivered_at: "2026-12-01T01:02:00.000Z" }) })]);

    // Token auth: an analyst sees the same imports and sources, and no schedule of anyone else.
    const analystView = await call(heartbeatGet, { path: "/api/v1/heartbeat", token: await tokenFor(other.id) });
    expect(analystView.status).toBe(200);
    expect((analystView.json.schedules as { name: string }[]).map((entry) => entry.name)).toEqual(["Someone else's"]);
    expect((await call(heartbeatGet, { path: "/api/v1/heartbeat" })).status).toBe(401);
  });
});
