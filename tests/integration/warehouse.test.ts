// A registered analytics warehouse (always PostgreSQL at 127.0.0.1, a scratch database made
// here) whose `_anon` views become anon-tier datasets, behind the column-name guard. Runs with
// either app database; skipped only when no PostgreSQL is reachable.
import { randomBytes } from "node:crypto";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DELETE as removeRoute, PATCH as updateRoute } from "@/app/api/v1/admin/warehouses/[id]/route";
import { GET as listWarehousesRoute, POST as registerRoute } from "@/app/api/v1/admin/warehouses/route";
import { GET as catalogRoute } from "@/app/api/v1/datasets/route";
import { POST as startExportRoute } from "@/app/api/v1/datasets/exports/route";
import { prisma } from "@/lib/db/client";
import { drainJobs } from "@/lib/jobs/runner";
import { identifyingPart } from "@/lib/warehouse/column-guard";
import { openWarehouseSession, readViewBatches } from "@/lib/warehouse/warehouse-client";
import { encryptWarehouseUrl } from "@/lib/warehouse/warehouse-secret";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { jobFile, parseCsv, unzipEntries } from "./dataset-helpers";

const SERVER = "postgresql://postgres@127.0.0.1:5432";
const DB = `careexport_wh_${randomBytes(4).toString("hex")}`;
const WAREHOUSE_URL = `${SERVER}/${DB}`;
const CONNECTION = `wh${randomBytes(2).toString("hex")}`;
const NAMES = ["Ottilie Quarrington", "Barnaby Featherstonehaugh", "Clementine Ravenscroft"];

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const reachable = await admin("SELECT 1").then(
  () => true,
  () => false,
);

describe.skipIf(!reachable)("warehouse connections", () => {
  let adminToken = "";
  let analystToken = "";
  let warehouseId = "";
  const clean = `wh_${CONNECTION}_visits_anon`;
  const named = `wh_${CONNECTION}_visit_names_anon`;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${DB}`);
    const client = new pg.Client({ connectionString: WAREHOUSE_URL });
    await client.connect();
    await client.query(`CREATE TABLE visits (patient_name text, score int, visit_date date, clinic text);
      INSERT INTO visits VALUES ${NAMES.map((name, index) => `('${name}', ${10 + index}, '2026-0${index + 1}-15', 'North')`).join(", ")};
      CREATE VIEW visits_anon AS SELECT score, visit_date, clinic FROM visits;
      CREATE VIEW visit_names_anon AS SELECT patient_name, score FROM visits;
      CREATE VIEW visits_all AS SELECT * FROM visits;`);
    await client.end();
    adminToken = await tokenFor((await createUser({ role: "ADMIN" })).user.id);
    analystToken = await tokenFor((await createUser({ role: "ANALYST" })).user.id);
  });

  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  });

  it("guards names that look identifying, by word part, case-insensitively", () => {
    for (const column of ["patient_name", "PatientPhone", "e_mail", "HomeAddress", "DateOfBirth", "dob", "SSN", "medicaid_id", "mrn", "zip_code"]) expect(identifyingPart(column), column).not.toBeNull();
    for (const column of ["score", "visit_date", "clinic", "severity_band", "encounter_count"]) expect(identifyingPart(column), column).toBeNull();
  });

  it("registers a connection for admins only, tests it on save, and never returns the URL", async () => {
    const analyst = await call(registerRoute, { token: analystToken, body: { name: CONNECTION, url: WAREHOUSE_URL } });
    expect(analyst.status).toBe(403);

    const badScheme = await call(registerRoute, { token: adminToken, body: { name: CONNECTION, url: "mysql://user:pw@127.0.0.1/db" } });
    expect(badScheme.status).toBe(400);
    expect(badScheme.json.issues).toEqual([expect.objectContaining({ path: "url" })]);

    const down = await call(registerRoute, { token: adminToken, body: { name: CONNECTION, url: "postgresql://reader:Sup3rSecretPw@127.0.0.1:1/analytics" } });
    expect(down.status).toBe(400);
    expect(down.json.issues).toEqual([expect.objectContaining({ path: "url" })]);
    expect(down.text).not.toContain("Sup3rSecretPw");

    const created = await call(registerRoute, { token: adminToken, body: { name: CONNECTION, url: WAREHOUSE_URL } });
    expect(created.status, created.text).toBe(201);
    warehouseId = String(created.json.id);
    expect(created.json).toMatchObject({ name: CONNECTION, host: "127.0.0.1:5432", database: DB, available: true });
    expect(created.text).not.toContain("postgresql://");
    const stored = await prisma.warehouseConnection.findUniqueOrThrow({ where: { id: warehouseId } });
    expect(stored.encryptedUrl).not.toContain(DB);

    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "warehouse_registered" }, orderBy: { seq: "desc" } });
    expect(audit.metadata).toMatchObject({ warehouseId, name: CONNECTION, database: DB, anonViews: 2 });
    expect(JSON.stringify(audit.metadata)).not.toContain("postgresql://");

    const listed = await call(listWarehousesRoute, { token: adminToken });
    const views = (listed.json.warehouses as { views: { view: string; columns: { name: string; status: string }[] }[] }[])[0]!.views;
    expect(views.map((view) => view.view).sort()).toEqual(["public.visit_names_anon", "public.visits_anon"]);
    expect(views.find((view) => view.view === "public.visit_names_anon")!.columns).toContainEqual(expect.objectContaining({ name: "patient_name", status: "refused" }));
  });

  it("lists only the _anon views in the anon catalog, without the refused column", async () => {
    const catalog = await call(catalogRoute, { token: analystToken, path: "/api/v1/datasets?tier=anon" });
    expect(catalog.status).toBe(200);
    const datasets = catalog.json.datasets as { name: string; row_count: number | null; columns: { name: string; policy: string }[]; refused_columns?: { name: string; reason: string }[] }[];
    const warehouseNames = datasets.map((dataset) => dataset.name).filter((name) => name.startsWith("wh_"));
    expect(warehouseNames.sort()).toEqual([named, clean]);
    expect(datasets.find((dataset) => dataset.name === clean)).toMatchObject({ row_count: 3, refused_columns: [] });
    const guarded = datasets.find((dataset) => dataset.name === named)!;
    expect(guarded.columns).toEqual([expect.objectContaining({ name: "score", policy: "keep" })]);
    expect(guarded.refused_columns).toEqual([{ name: "patient_name", reason: expect.stringMatching(/looks identifying \("name"\)/) }]);
  });

  it("exports the views through the ZIP path and never the refused column, until an admin masks it", async () => {
    const started = await call(startExportRoute, { token: analystToken, body: { tier: "anon", datasets: [clean, named], attestation: true } });
    expect(started.status, started.text).toBe(202);
    await drainJobs();
    const { job, zip } = await jobFile(String(started.json.job_id ?? started.json.id));
    expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
    const entries = unzipEntries(zip);
    const visits = parseCsv(entries.get(`${clean}.csv`)!);
    expect(visits.map((row) => row.score).sort()).toEqual(["10", "11", "12"]);
    expect(visits.find((row) => row.score === "10")).toEqual({ score: "10", visit_date: "2026-01-15", clinic: "North" });
    expect(parseCsv(entries.get(`${named}.csv`)!).sort((a, b) => a.score!.localeCompare(b.score!))).toEqual([{ score: "10" }, { score: "11" }, { score: "12" }]);
    const everything = [...entries.values()].join("\n");
    for (const name of NAMES) expect(everything.includes(name)).toBe(false);
    expect(everything).not.toContain("patient_name");
    const manifest = JSON.parse(entries.get("manifest.json")!);
    expect(manifest.datasets.find((dataset: { dataset: string }) => dataset.dataset === clean)).toMatchObject({ rows: 3 });

    const patched = await call(updateRoute, { token: adminToken, method: "PATCH", params: { id: warehouseId }, body: { column_policies: { "public.visit_names_anon": { patient_name: "redact" } } } });
    expect(patched.status, patched.text).toBe(200);
    const updated = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "warehouse_updated" }, orderBy: { seq: "desc" } });
    expect(updated.metadata).toMatchObject({ warehouseId, columnPolicyChanges: { "public.visit_names_anon.patient_name": { from: null, to: "redact" } } });
    const badPolicy = await call(updateRoute, { token: adminToken, method: "PATCH", params: { id: warehouseId }, body: { column_policies: { "public.visit_names_anon": { patient_name: "show" } } } });
    expect(badPolicy.status).toBe(400);
    expect(String((badPolicy.json.issues as { path: string }[])[0]!.path)).toContain("column_policies");

    const catalog = await call(catalogRoute, { token: analystToken, path: "/api/v1/datasets?tier=anon" });
    const guarded = (catalog.json.datasets as { name: string; columns: { name: string; policy: string }[] }[]).find((dataset) => dataset.name === named)!;
    expect(guarded.columns.map((column) => [column.name, column.policy])).toEqual([["patient_name", "redact"], ["score", "keep"]]);

    const again = await call(startExportRoute, { token: adminToken, body: { tier: "anon", datasets: [named], attestation: true } });
    expect(again.status, again.text).toBe(202);
    await drainJobs();
    const second = await jobFile(String(again.json.job_id ?? again.json.id));
    expect(second.job.status, second.job.errorMessage ?? "").toBe("COMPLETED");
    const masked = parseCsv(unzipEntries(second.zip).get(`${named}.csv`)!);
    expect(masked).toHaveLength(3);
    expect(masked.every((row) => row.patient_name === "REDACTED")).toBe(true);
  });

  it("reads through read-only sessions: a write through the connection fails", async () => {
    const session = await openWarehouseSession(WAREHOUSE_URL);
    try {
      await expect(session.query("INSERT INTO visits VALUES ('Intruder', 1, '2026-01-01', 'South')")).rejects.toThrow(/read-only transaction/);
      await session.query("BEGIN");
      await expect(session.query("CREATE TABLE sneaky (id int)")).rejects.toThrow(/read-only transaction/);
      await session.query("ROLLBACK");
    } finally {
      await session.end();
    }
    const check = new pg.Client({ connectionString: WAREHOUSE_URL });
    await check.connect();
    expect((await check.query("SELECT count(*)::int AS n FROM visits")).rows[0].n).toBe(3);
    await check.query("CREATE VIEW series_anon AS SELECT g FROM generate_series(1, 12001) g");
    await check.end();

    // The cursor fetches several thousand rows per round trip and hands them on in the caller's batches.
    const sizes: number[] = [];
    const values: number[] = [];
    for await (const rows of readViewBatches(WAREHOUSE_URL, "public", "series_anon", ["g"], 500)) {
      sizes.push(rows.length);
      for (const row of rows) values.push(Number(row[0]));
    }
    expect(values).toHaveLength(12_001);
    expect(new Set(values).size).toBe(12_001);
    expect(sizes.slice(0, -1).every((size) => size === 500)).toBe(true);
    expect(sizes.at(-1)).toBe(1);
  });

  it("fails the read with the server's error when a view breaks after the first round trip", async () => {
    const check = new pg.Client({ connectionString: WAREHOUSE_URL });
    await check.connect();
    await check.query("CREATE VIEW broken_anon AS SELECT 1 / (g - 9000) AS ratio FROM generate_series(1, 12001) g");
    await check.end();

    let rowsRead = 0;
    const read = async () => {
      for await (const rows of readViewBatches(WAREHOUSE_URL, "public", "broken_anon", ["ratio"], 500)) rowsRead += rows.length;
    };
    await expect(read()).rejects.toThrow(/division by zero/);
    // The first round trip's rows came through before the error; nothing after it.
    expect(rowsRead).toBeGreaterThan(0);
    expect(rowsRead).toBeLessThan(9000);
  });

  it("shows a warehouse that is down as unavailable without breaking the catalog", async () => {
    const gone = await prisma.warehouseConnection.create({ data: { name: `${CONNECTION}_gone`, encryptedUrl: encryptWarehouseUrl("postgresql://reader:pw@127.0.0.1:1/gone"), columnPolicies: {} } });
    // A URL that no longer decrypts (e.g. after a key change) is unavailable too, and still listed for the admin.
    const garbled = await prisma.warehouseConnection.create({ data: { name: `${CONNECTION}_garbled`, encryptedUrl: Buffer.from("not encrypted at all").toString("base64"), columnPolicies: {} } });
    try {
      const listed = await call(listWarehousesRoute, { token: adminToken });
      expect(listed.status).toBe(200);
      expect(listed.json.warehouses).toContainEqual(expect.objectContaining({ name: `${CONNECTION}_garbled`, available: false }));
      const catalog = await call(catalogRoute, { token: analystToken, path: "/api/v1/datasets?tier=anon" });
      expect(catalog.status).toBe(200);
      expect(catalog.json.warehouses).toContainEqual(expect.objectContaining({ name: `${CONNECTION}_gone`, available: false, error: expect.stringMatching(/refused/) }));
      expect(catalog.json.warehouses).toContainEqual(expect.objectContaining({ name: `${CONNECTION}_garbled`, available: false }));
      expect((catalog.json.datasets as { name: string }[]).some((dataset) => dataset.name === clean)).toBe(true);
      const refused = await call(startExportRoute, { token: adminToken, body: { tier: "anon", datasets: [`wh_${CONNECTION}_gone_x_anon`], attestation: true } });
      expect(refused.status).toBe(400);
      expect(refused.text).toMatch(/unavailable/);
    } finally {
      await prisma.warehouseConnection.deleteMany({ where: { id: { in: [gone.id, garbled.id] } } });
    }
  });

  it("removes a connection (audited) and its datasets leave the catalog", async () => {
    const analyst = await call(removeRoute, { token: analystToken, method: "DELETE", params: { id: warehouseId } });
    expect(analyst.status).toBe(403);
    const removed = await call(removeRoute, { token: adminToken, method: "DELETE", params: { id: warehouseId } });
    expect(removed.status).toBe(204);
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "warehouse_removed" } });
    expect(audit.metadata).toMatchObject({ warehouseId, name: CONNECTION, database: DB });
    const catalog = await call(catalogRoute, { token: analystToken, path: "/api/v1/datasets?tier=anon" });
    expect((catalog.json.datasets as { name: string }[]).some((dataset) => dataset.name.startsWith("wh_"))).toBe(false);
  });
});
