// A production instance as operators run it: `npm start` (the production build) on its own
// database, with STORAGE_DRIVER=s3 against a real S3-compatible server (s3rver, its own process).
// A report is exported, lands in the bucket only encrypted, and downloads whole. Then SIGTERM
// arrives while a download is in flight (its read from the bucket held by a proxy): the accepted
// request still completes with the whole file, no new connection is accepted, and the process
// exits 0.
import { ListObjectsV2Command, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect, test } from "@playwright/test";
import pg from "pg";

import { DEMO_USERS } from "@/lib/demo/demo-users";

import { startHoldingProxy } from "../../tests/setup/holding-proxy";
import { S3RVER_CREDENTIALS, startS3Server, type TS3TestServer } from "../../tests/setup/s3-server";

test.describe.configure({ mode: "serial" });

let s3: TS3TestServer;
let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
let dataDir = "";
let baseURL = "";
let instanceEnv: NodeJS.ProcessEnv = { ...process.env };
let instance: ChildProcess | null = null;
let output = "";
let exited: Promise<number | null>;

async function freePort() {
  return new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Its own database: the suite's server runs its own job runner (local storage), which must not take this instance's jobs. */
function databaseUrl() {
  const shared = process.env.E2E_DATABASE_URL;
  if (shared?.startsWith("postgres")) {
    const url = new URL(shared);
    url.pathname = `${url.pathname}_s3instance`;
    return url.toString();
  }
  return `file:${path.join(dataDir, "careexport.db")}`;
}

const bucketClient = () => new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: S3RVER_CREDENTIALS });

async function waitFor<T>(probe: () => Promise<T | null>, what: string, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`${what} did not happen:\n${output.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  s3 = await startS3Server("careexport-e2e-instance");
  proxy = await startHoldingProxy(s3.endpoint, { isHolding: false });
  dataDir = mkdtempSync(path.join(tmpdir(), "careexport-s3-instance-"));
  const port = await freePort();
  baseURL = `http://127.0.0.1:${port}`;
  const url = databaseUrl();
  instanceEnv = {
    ...process.env,
    ...s3.env,
    S3_ENDPOINT: proxy.endpoint,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    NEXTAUTH_URL: baseURL,
    APP_URL: baseURL,
    NEXTAUTH_SECRET: "e2e-s3-nextauth-secret-0123456789",
    ANON_KEY: "e2e-s3-anon-key-0123456789abcdef",
    FILE_ENCRYPTION_KEY: "e2e-s3-file-key-0123456789abcdef",
    LINK_SIGNING_KEY: "e2e-s3-link-key-0123456789abcdef",
    AUDIT_KEY: "e2e-s3-audit-key-0123456789abcdef",
    JOB_RUNNER: "inline",
    SHUTDOWN_GRACE_SECONDS: "30",
    ALLOW_DEMO_SEED: "true",
  };
  if (url.startsWith("postgres")) execFileSync(process.execPath, ["scripts/reset-pg-database.mjs", url], { env: instanceEnv, stdio: "pipe" });
  execFileSync("node_modules/.bin/tsx", ["scripts/prepare-db.ts", "--seed"], { env: instanceEnv, stdio: "pipe", timeout: 180_000 });

  const child = spawn("npm", ["start", "--", "-H", "127.0.0.1", "-p", String(port)], { env: instanceEnv, stdio: ["ignore", "pipe", "pipe"] });
  instance = child;
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  await waitFor(async () => ((await fetch(`${baseURL}/api/ready`)).status === 200 ? true : null), "the instance becoming ready");
});

test.afterAll(async () => {
  instance?.kill("SIGKILL");
  await proxy?.stop();
  await s3?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  const url = databaseUrl();
  if (url.startsWith("postgres")) {
    const name = new URL(url).pathname.slice(1);
    const server = new URL(url);
    server.pathname = "/postgres";
    const admin = new pg.Client({ connectionString: server.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
});

let token = "";
let jobId = "";
let fileBytes = Buffer.alloc(0);

test("readiness names every check; a report goes through the bucket encrypted and downloads whole", async () => {
  const ready = await fetch(`${baseURL}/api/ready`);
  expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok", migrations: "ok", storage: "ok" } });

  const created = execFileSync("node_modules/.bin/tsx", ["cli/index.ts", "tokens:create", "--email", DEMO_USERS.therapist.email, "--days", "1"], { env: instanceEnv, encoding: "utf8" });
  token = created.trim().split("\n").pop()!.trim();
  const auth = { authorization: `Bearer ${token}` };
  const { patients } = (await (await fetch(`${baseURL}/api/v1/patients?page_size=1`, { headers: auth })).json()) as { patients: Array<{ id: string }> };
  const patientId = patients[0]!.id;

  const started = await fetch(`${baseURL}/api/v1/export/progress-report`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ patient_id: patientId, start_date: "2025-01-01", end_date: "2026-12-31", format: "pdf" }),
  });
  expect(started.status).toBe(202);
  jobId = ((await started.json()) as { job_id: string }).job_id;
  await waitFor(async () => {
    const job = (await (await fetch(`${baseURL}/api/v1/export/jobs/${jobId}`, { headers: auth })).json()) as { status: string };
    expect(job.status).not.toBe("failed");
    return job.status === "completed" ? true : null;
  }, "the export completing");

  const listed = await bucketClient().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "exports/" }));
  const keys = (listed.Contents ?? []).map((object) => object.Key!).filter((key) => key.includes(jobId));
  expect(keys).toHaveLength(1);
  const stored = Buffer.from(await (await bucketClient().send(new GetObjectCommand({ Bucket: s3.bucket, Key: keys[0]! }))).Body!.transformToByteArray());
  expect(stored.subarray(0, 4).toString("latin1")).toBe("CEX1");
  expect(stored.includes(Buffer.from("%PDF"))).toBe(false);

  const download = await fetch(`${baseURL}/api/v1/export/download/${jobId}`, { headers: auth });
  expect(download.status).toBe(200);
  fileBytes = Buffer.from(await download.arrayBuffer());
  expect(fileBytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  expect(createHash("sha256").update(fileBytes).digest("hex")).toBe(download.headers.get("x-content-sha256"));
  expect(stored.length).toBe(fileBytes.length + 4 + 12 + 16);
});

test("SIGTERM during a download: the accepted request completes whole, new connections are refused, the process exits 0", async () => {
  test.setTimeout(120_000);
  proxy.hold();
  const inFlight = fetch(`${baseURL}/api/v1/export/download/${jobId}`, { headers: { authorization: `Bearer ${token}` } }).then(async (response) => ({
    status: response.status,
    body: Buffer.from(await response.arrayBuffer()),
  }));
  await proxy.waitForHeldRequest((request) => request.url.includes(jobId));

  instance!.kill("SIGTERM");
  await waitFor(async () => (output.includes("SIGTERM received") ? true : null), "the shutdown starting", 15_000);
  // No new connection is accepted while the accepted request is still running...
  await waitFor(async () => {
    const refused = await fetch(`${baseURL}/api/health`).then(
      () => false,
      () => true,
    );
    return refused ? true : null;
  }, "the listener closing", 15_000);
  expect(instance!.exitCode).toBeNull();

  // ...and that request ends whole once its storage read goes on.
  proxy.release();
  const answer = await inFlight;
  expect(answer.status).toBe(200);
  expect(answer.body.equals(fileBytes)).toBe(true);
  expect(await exited).toBe(0);
  expect(output).toContain("web: stopped");
});
