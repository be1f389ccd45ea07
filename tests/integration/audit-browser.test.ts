import { beforeAll, describe, expect, it } from "vitest";

import { GET as exportRoute } from "@/app/api/v1/audit/export/route";
import { GET as listRoute } from "@/app/api/v1/audit/route";
import { GET as verifyRoute } from "@/app/api/v1/audit/verify/route";
import { csvCell } from "@/lib/csv/csv";
import { parseCsv } from "@/lib/csv/parse-csv";
import { recordAudit } from "@/lib/audit/record";
import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

type TRecord = { seq: number; action: string; outcome: string; user_id: string | null; patient_id: string | null; metadata: unknown; user_email: string | null };

let adminToken: string;
let therapistId: string;
let otherId: string;

beforeAll(async () => {
  const { user: admin } = await createUser({ role: "ADMIN" });
  const { user: therapist } = await createUser({ role: "THERAPIST", email: "filter-therapist@test.careexport.local" });
  const { user: other } = await createUser({ role: "THERAPIST" });
  therapistId = therapist.id;
  otherId = other.id;
  adminToken = await tokenFor(admin.id);
  // A known mix: therapist downloads 3, other downloads 2, one denial, one failure with a formula-like label.
  for (let i = 0; i < 3; i++) await recordAudit(null, { action: "downloaded", userId: therapist.id, exportJobId: `job-t${i}`, patientId: "pat-1", metadata: { fileName: `progress-${i}.pdf` } });
  for (let i = 0; i < 2; i++) await recordAudit(null, { action: "downloaded", userId: other.id, exportJobId: `job-o${i}`, patientId: "pat-2" });
  await recordAudit(null, { action: "access_denied", outcome: "denied", userId: therapist.id, patientId: "pat-2", metadata: { reason: "Needle_in_haystack" } });
  await recordAudit(null, { action: "export_failed", outcome: "failure", actorLabel: "=HYPERLINK(\"http://evil\")", exportJobId: "job-x", metadata: { note: 'comma, "quote"\nnewline' } });
});

async function list(query: string) {
  const response = await call(listRoute, { path: `/api/v1/audit?${query}`, token: adminToken });
  expect(response.status).toBe(200);

  return response.json as { total: number; page: number; page_size: number; records: TRecord[] };
}

describe("audit browser API", () => {
  it("filters by user, action (multi), outcome, patient, job and free text", async () => {
    const byUser = await list(`user=${therapistId}`);
    expect(byUser.records.every((r) => r.user_id === therapistId)).toBe(true);
    expect(byUser.total).toBe(4);
    expect(byUser.records[0]!.user_email).toBe("filter-therapist@test.careexport.local");

    expect((await list(`user=${therapistId}&action=downloaded`)).total).toBe(3);
    expect((await list(`action=access_denied&action=export_failed`)).total).toBe(2);
    expect((await list(`action=access_denied,export_failed`)).total).toBe(2);
    expect((await list(`outcome=denied`)).records.map((r) => r.action)).toEqual(["access_denied"]);
    expect((await list(`patient_id=pat-2`)).total).toBe(3);
    expect((await list(`job_id=job-o1`)).total).toBe(1);
    // Free text reaches metadata (case-insensitive), actor labels and action names; LIKE wildcards are literal.
    expect((await list(`q=needle_IN`)).records.map((r) => r.action)).toEqual(["access_denied"]);
    expect((await list(`q=hyperlink`)).total).toBe(1);
    expect((await list(`q=progress-1`)).total).toBe(1);
    expect((await list(`q=%25`)).total).toBe(0);
  });

  it("filters by a date range", async () => {
    expect((await list(`from=2000-01-01&to=2001-01-01`)).total).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    const all = await list(`page_size=200`);
    expect((await list(`from=${today}&to=${today}&page_size=200`)).total).toBe(all.total);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await list(`from=${encodeURIComponent(future)}`)).total).toBe(0);
  });

  it("sorts by whitelisted columns and pages", async () => {
    const newest = await list(`action=downloaded`);
    const seqs = newest.records.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const oldest = await list(`action=downloaded&sort=seq&order=asc`);
    expect(oldest.records.map((r) => r.seq)).toEqual([...seqs].reverse());

    const byUser = await list(`action=downloaded&sort=user&order=asc`);
    const users = byUser.records.map((r) => r.user_id!);
    expect(users).toEqual([...users].sort());

    const page1 = await list(`action=downloaded&sort=seq&order=asc&page=1&page_size=2`);
    const page3 = await list(`action=downloaded&sort=seq&order=asc&page=3&page_size=2`);
    expect(page1.total).toBe(5);
    expect(page1.records.map((r) => r.seq)).toEqual(oldest.records.slice(0, 2).map((r) => r.seq));
    expect(page3.records.map((r) => r.seq)).toEqual(oldest.records.slice(4).map((r) => r.seq));
  });

  it("rejects bad input with a 400 naming the field", async () => {
    const cases: [string, string][] = [
      ["page_size=500", "page_size"],
      ["sort=hash", "sort"],
      ["order=sideways", "order"],
      ["action=not_an_action", "action.0"],
      ["outcome=maybe", "outcome"],
      ["from=yesterday", "from"],
      ["page=0", "page"],
    ];
    for (const [query, path] of cases) {
      const response = await call(listRoute, { path: `/api/v1/audit?${query}`, token: adminToken });
      expect(response.status, query).toBe(400);
      expect((response.json.issues as { path: string }[]).map((issue) => issue.path), query).toContain(path);
    }
  });

  it("refuses non-admins with 403 and audits the denial", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(analyst.id);
    for (const route of [listRoute, exportRoute, verifyRoute]) {
      const response = await call(route, { path: "/api/v1/audit", token });
      expect(response.status).toBe(403);
    }
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: analyst.id } })).toBe(3);
    expect((await call(listRoute, { path: "/api/v1/audit" })).status).toBe(401);
  });

  it("exports the filtered view as RFC 4180 CSV, formula-safe, and audits the export", async () => {
    const response = await call(exportRoute, { path: `/api/v1/audit/export?user=${therapistId}&action=downloaded`, token: adminToken });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-.*\.csv"$/);
    const rows = parseCsv(response.text);
    const header = rows[0]!;
    expect(header.slice(0, 4)).toEqual(["seq", "created_at", "action", "outcome"]);
    const body = rows.slice(1);
    expect(body).toHaveLength(3);
    expect(body.every((row) => row[header.indexOf("action")] === "downloaded" && row[header.indexOf("user_id")] === therapistId)).toBe(true);
    expect(body.map((row) => Number(row[0]))).toEqual([...body.map((row) => Number(row[0]))].sort((a, b) => a - b));

    const exported = await prisma.exportAuditLog.findFirst({ where: { action: "audit_exported" }, orderBy: { seq: "desc" } });
    expect(exported).toMatchObject({ outcome: "success" });
    expect(exported!.metadata).toMatchObject({ filters: { user: therapistId, action: ["downloaded"] } });

    const failed = await call(exportRoute, { path: "/api/v1/audit/export?action=export_failed", token: adminToken });
    const [head, row] = parseCsv(failed.text);
    expect(row![head!.indexOf("actor_label")]).toBe("'=HYPERLINK(\"http://evil\")");
    expect(JSON.parse(row![head!.indexOf("metadata")]!)).toEqual({ note: 'comma, "quote"\nnewline' });
  });

  it("neutralises every formula lead character", () => {
    expect(["=1+1", "+1", "-1+A1", "@SUM(A1)", "\tx", "plain", "-1"].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1+A1", "'@SUM(A1)", "'\tx", "plain", "-1"]);
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell(null)).toBe("");
  });

  it("verifies the chain for admins and records the verification", async () => {
    const response = await call(verifyRoute, { path: "/api/v1/audit/verify", token: adminToken });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ ok: true, checkpoint: null });
    expect(await prisma.exportAuditLog.count({ where: { action: "audit_verified" } })).toBe(1);
    expect(otherId).toBeTruthy();
  });
});
