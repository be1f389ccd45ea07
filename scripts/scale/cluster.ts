// The processes of `npm run test:scale`, as an operator runs them (README "Production: PostgreSQL,
// S3, several instances"): one PostgreSQL database, one S3-compatible server (s3rver), two
// `npm start` web instances and two `npm run worker` processes, all on 127.0.0.1 with the same
// shared secrets. Each process's output goes to its own log file under the run directory.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";

import pg from "pg";

const run = promisify(execFile);

export type TProcess = {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed so far. */
  output: () => string;
};

export type TWebInstance = TProcess & { baseUrl: string; port: number };

export async function freePort() {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function spawnLogged(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, runDir: string): TProcess {
  const logFile = path.join(runDir, `${name}.log`);
  const log = createWriteStream(logFile);
  let output = "";
  // Its own process group: npm, its shell and the node process under them are ended together.
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    log.write(chunk);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      log.end();
      resolve({ code, signal });
    }),
  );

  return { name, child, logFile, exited, output: () => output };
}

/** What a scale run checks and finds not to hold: the run fails with this message. */
export class ScenarioFailure extends Error {}

/** Polls `probe` until it gives a value; its other errors count as "not yet", a ScenarioFailure ends the wait. */
/** Ends a started process and everything under it (npm's shell and node process). */
export function killGroup(started: TProcess) {
  try {
    process.kill(-started.child.pid!, "SIGKILL");
  } catch {
    // Already gone.
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      if (error instanceof ScenarioFailure) throw error;
      return null;
    });
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new ScenarioFailure(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** `npm start` on its own port: it applies pending migrations (under PostgreSQL's lock), then serves. */
export function startWebInstance(name: string, port: number, env: NodeJS.ProcessEnv, runDir: string): TWebInstance {
  const started = spawnLogged(name, "npm", ["start", "--silent", "--", "-H", "127.0.0.1", "-p", String(port)], env, runDir);

  return { ...started, port, baseUrl: `http://127.0.0.1:${port}` };
}

export function startWorker(name: string, env: NodeJS.ProcessEnv, runDir: string): TProcess {
  return spawnLogged(name, "npm", ["run", "--silent", "worker", "--", "--concurrency", "2"], env, runDir);
}

export async function waitUntilReady(instance: TWebInstance, timeoutMs: number) {
  await waitFor(
    `${instance.name} answering 200 on /api/ready`,
    async () => {
      if (instance.child.exitCode !== null) throw new ScenarioFailure(`${instance.name} exited early:\n${instance.output().slice(-2000)}`);
      const response = await fetch(`${instance.baseUrl}/api/ready`);

      return response.status === 200;
    },
    timeoutMs,
    250,
  );
}

export async function waitUntilWorking(worker: TProcess, timeoutMs: number) {
  await waitFor(`${worker.name} starting`, async () => worker.output().includes("running with"), timeoutMs);
}

/** The node process that really runs `npm run worker` (npm's child's child): its pid is in the job leases it takes. */
export function isDescendantOf(pid: number, ancestor: number) {
  let current = pid;
  for (let depth = 0; depth < 6 && current > 1; depth += 1) {
    if (current === ancestor) return true;
    const status = readFileSync(`/proc/${current}/status`, "utf8");
    current = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }

  return false;
}

/** A fresh database for the run (the reset script refuses anything but a local server). */
export async function resetDatabase(databaseUrl: string, env: NodeJS.ProcessEnv) {
  await run(process.execPath, ["scripts/reset-pg-database.mjs", databaseUrl], { env });
}

export async function dropDatabase(databaseUrl: string) {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** The demo data, through the same preparation `npm run dev` uses (migrations, system templates, FHIR import of the demo). */
export async function seedDemo(env: NodeJS.ProcessEnv) {
  await run("node_modules/.bin/tsx", ["scripts/prepare-db.ts", "--seed"], { env, timeout: 180_000 });
}

/** An API token as an operator makes one (`npm run cli -- tokens:create`); the token is the last line printed. */
export async function createToken(email: string, env: NodeJS.ProcessEnv) {
  const { stdout } = await run("node_modules/.bin/tsx", ["cli/index.ts", "tokens:create", "--email", email, "--name", "test:scale", "--days", "1"], { env, timeout: 60_000 });

  return stdout.trim().split("\n").pop()!.trim();
}
