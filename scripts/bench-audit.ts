// npm run bench:audit -- --rows 1000000 [--db sqlite|pg|both] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] [--queries 200]
//   [--keep (the SQLite file / PostgreSQL database)] [--existing <DATABASE_URL> (measure a kept database, no fill)]
//
// Fills a scratch database (a temp SQLite file and/or a scratch PostgreSQL database, dropped at
// the end) with realistic, properly hash-chained audit records through a bulk path, then prints
// p50/p95 of the audit browser's filtered, sorted page query and the chain-verify throughput.
// A benchmark, not a test: numbers depend on the machine. Record them in BENCHMARKS.md.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";

import Database from "better-sqlite3";
import pg from "pg";

import { AUDIT_ACTIONS } from "@/lib/audit/actions";
import { findAuditLogs, ZAuditLogQuery } from "@/lib/audit/find-audit-logs";
import { canonicalJson, computeRecordHash, GENESIS_HASH, type TChainedRecord } from "@/lib/audit/hash";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { disconnectPrisma } from "@/lib/db/client";
import { migrateDatabase, sqliteFilePath } from "@/lib/db/migrate";
import { resetEnvCache } from "@/lib/env";

function flag(name: string, fallback: string) {
  const index = process.argv.indexOf(`--${name}`);

  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

const ROWS = Number(flag("rows", "1000000"));
const DBS = flag("db", "both");
const PG_URL = flag("pg-url", "postgresql://postgres@127.0.0.1:5432/postgres");
const QUERIES = Number(flag("queries", "200"));
const BATCH = 1_000;
const COLUMNS = ["id", "seq", "action", "outcome", "userId", "actorLabel", "exportJobId", "patientId", "dataset", "templateId", "scheduleId", "ipAddress", "userAgent", "requestId", "metadata", "createdAt", "prevHash", "hash"] as const;

// A deterministic-enough mix: most records are views, exports and downloads by therapists.
const USERS = Array.from({ length: 80 }, (_, i) => `bench-user-${String(i).padStart(3, "0")}`);
const WEIGHTED_ACTIONS: [string, number][] = [
  ["patient_viewed", 30], ["downloaded", 20], ["export_created", 15], ["export_completed", 14], ["login_success", 10],
  ["access_denied", 3], ["login_failure", 3], ["export_failed", 1], ["expired", 2], ["schedule_run", 1], ["deleted", 1],
];
const ACTION_POOL = WEIGHTED_ACTIONS.flatMap(([action, weight]) => Array<string>(weight).fill(action));
const AGENTS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Safari/17.2", "careexport-cli", "python-requests/2.32"];

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;

type TRow = TChainedRecord & { id: string; prevHash: string; hash: string };

/** Yields chained records in batches; createdAt spreads over six years up to now. */
function* generate(rows: number): Generator<TRow[]> {
  const start = Date.now() - 6 * 365 * 86_400_000;
  const step = (Date.now() - start) / rows;
  let prev = GENESIS_HASH;
  let batch: TRow[] = [];
  for (let seq = 1; seq <= rows; seq++) {
    const action = pick(ACTION_POOL);
    const isDenied = action === "access_denied";
    const hasJob = action.startsWith("export") || action === "downloaded" || action === "expired" || action === "deleted";
    const record: TChainedRecord = {
      seq,
      action,
      outcome: isDenied ? "denied" : action.endsWith("failed") || action === "login_failure" ? "failure" : "success",
      userId: action === "expired" ? null : pick(USERS),
      actorLabel: action === "expired" ? "system" : null,
      exportJobId: hasJob ? `job-${Math.floor(seq / 3)}` : null,
      patientId: action === "patient_viewed" || hasJob || isDenied ? `patient-${Math.floor(Math.random() * 4000)}` : null,
      dataset: null,
      templateId: null,
      scheduleId: null,
      ipAddress: `10.0.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}`,
      userAgent: pick(AGENTS),
      requestId: randomUUID(),
      metadata: hasJob ? { format: pick(["pdf", "docx", "csv", "json"]), exportType: pick(["progress_report", "session_notes", "full_record"]), bytes: Math.floor(Math.random() * 2_000_000) } : isDenied ? { policyAction: "patient.read", status: 404, reason: "patient is not assigned to this therapist" } : null,
      createdAt: new Date(Math.floor(start + seq * step)),
    };
    const hash = computeRecordHash(record, prev);
    batch.push({ ...record, id: `b${seq.toString(36)}${randomBytes(6).toString("hex")}`, prevHash: prev, hash });
    prev = hash;
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

function values(row: TRow, dateAsText: boolean) {
  return COLUMNS.map((column) => {
    const value = row[column];
    // Sorted keys, as recordAudit stores it.
    if (column === "metadata") return value === null ? null : canonicalJson(value);
    // Stored as the Prisma SQLite adapter writes DateTime (ISO with +00:00).
    if (value instanceof Date) return dateAsText ? value.toISOString().replace("Z", "+00:00") : value;

    return value;
  });
}

async function fillSqlite(url: string) {
  const db = new Database(sqliteFilePath(url));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const insert = db.prepare(`INSERT INTO "ExportAuditLog" (${COLUMNS.map((c) => `"${c}"`).join(",")}) VALUES (${COLUMNS.map(() => "?").join(",")})`);
  const insertMany = db.transaction((rows: TRow[]) => {
    for (const row of rows) insert.run(...values(row, true));
  });
  for (const batch of generate(ROWS)) insertMany(batch);
  db.exec("ANALYZE");
  db.close();
}

async function fillPostgres(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const columnList = COLUMNS.map((c) => `"${c}"`).join(",");
  for (const batch of generate(ROWS)) {
    const params: unknown[] = [];
    const tuples = batch.map((row, r) => {
      params.push(...values(row, false));
      return `(${COLUMNS.map((c, i) => `$${r * COLUMNS.length + i + 1}${c === "metadata" ? "::json" : ""}`).join(",")})`;
    });
    await client.query(`INSERT INTO "ExportAuditLog" (${columnList}) VALUES ${tuples.join(",")}`, params);
  }
  // Autovacuum would do this to an insert-only table (PG 13+); without it the visibility map is
  // empty and every index-only scan (the capped counts) falls back to reading the heap.
  await client.query(`VACUUM ANALYZE "ExportAuditLog"`);
  await client.end();
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(label: string, url: string) {
  process.env.DATABASE_URL = url;
  resetEnvCache();
  await disconnectPrisma();

  const shapes = [
    () => ({ user: pick(USERS), action: "downloaded", sort: "created_at", order: "desc" }),
    () => ({ action: "access_denied,login_failure", sort: "created_at", order: "desc", page: String(1 + Math.floor(Math.random() * 5)) }),
    () => ({ outcome: "denied", from: new Date(Date.now() - 365 * 86_400_000).toISOString(), sort: "created_at", order: "desc" }),
    () => ({ patient_id: `patient-${Math.floor(Math.random() * 4000)}`, sort: "created_at", order: "desc" }),
    () => ({ user: pick(USERS), sort: "action", order: "asc" }),
  ];
  await findAuditLogs(ZAuditLogQuery.parse(shapes[0]!())); // warm-up
  const timings: number[] = [];
  const byShape: number[][] = shapes.map(() => []);
  for (let i = 0; i < QUERIES; i++) {
    const query = ZAuditLogQuery.parse({ ...shapes[i % shapes.length]!(), page_size: "50" });
    const started = performance.now();
    await findAuditLogs(query);
    timings.push(performance.now() - started);
    byShape[i % shapes.length]!.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  const shapeP95 = byShape.map((list) => percentile(list.sort((a, b) => a - b), 95).toFixed(0)).join("/");

  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await verifyAuditChain();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // This process's CPU time: on SQLite it includes reading and hashing the rows, a figure less
  // sensitive than wall time to other load on a shared machine; on PostgreSQL the server hashes.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const cpuNote = label === "postgres"
    ? `${cpuSeconds.toFixed(1)} s CPU in this process: the database checks the ranges`
    : `${cpuSeconds.toFixed(1)} s CPU in this process = ${Math.round(result.count / cpuSeconds).toLocaleString("en-US")} records/CPU-s`;
  await disconnectPrisma();

  console.log(
    `${label}: page query p50 ${percentile(timings, 50).toFixed(1)} ms, p95 ${percentile(timings, 95).toFixed(1)} ms (${QUERIES} queries, page_size 50; p95 per shape ${shapeP95} ms); ` +
      `verify ${result.ok ? "ok" : "BROKEN"} ${result.count} records in ${seconds.toFixed(1)} s = ${Math.round(result.count / seconds).toLocaleString("en-US")} records/s ` +
      `(${cpuNote}); load average ${loadavg().map((n) => n.toFixed(1)).join(" ")}`,
  );
}

async function benchSqlite() {
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-bench-"));
  const url = `file:${path.join(dir, "bench.db")}`;
  try {
    await migrateDatabase(url);
    const started = performance.now();
    await fillSqlite(url);
    console.log(`sqlite: filled ${ROWS} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await measure("sqlite", url);
  } finally {
    if (process.argv.includes("--keep")) console.log(`kept ${url}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres() {
  const server = new URL(PG_URL);
  if (!["127.0.0.1", "localhost", "::1"].includes(server.hostname)) throw new Error(`refusing a non-local PostgreSQL host (${server.hostname})`);
  const name = `careexport_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  try {
    await migrateDatabase(url.toString());
    const started = performance.now();
    await fillPostgres(url.toString());
    console.log(`postgres: filled ${ROWS} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await measure("postgres", url.toString());
  } finally {
    await disconnectPrisma();
    if (process.argv.includes("--keep")) console.log(`kept ${url.toString()}`);
    else await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

async function main() {
  const existing = flag("existing", "");
  if (existing) return measure(existing.startsWith("postgres") ? "postgres" : "sqlite", existing);
  if (!Number.isInteger(ROWS) || ROWS < 1) throw new Error("--rows must be a positive whole number");
  console.log(`bench:audit with ${ROWS} records (${AUDIT_ACTIONS.length} known actions)`);
  if (DBS === "sqlite" || DBS === "both") await benchSqlite();
  if (DBS === "pg" || DBS === "both") await benchPostgres();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
