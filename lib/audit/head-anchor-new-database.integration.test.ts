// A database created anew at the same URL, with the anchor of the earlier one still in DATA_DIR.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { afterEach, describe, expect, it, vi } from "vitest";

import { flushHeadAnchor, headAnchorPath, headAnchorPathFor, readHeadAnchor, resetAnchorReports, retireStaleHeadAnchor, signHeadAnchor } from "@/lib/audit/head-anchor";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify-chain";

const run = promisify(execFile);

/** What the earlier database left: an anchor at record 40, properly signed. */
const writeStaleAnchor = () => writeFile(headAnchorPath(), JSON.stringify(signHeadAnchor({ seq: 40, hash: "c".repeat(64) })));

afterEach(() => vi.restoreAllMocks());

describe("the head anchor of an earlier database at the same URL", () => {
  it("is reported as belonging to a database that is no longer there, and moved aside only on an empty database", async () => {
    await writeStaleAnchor();
    const original = await readFile(headAnchorPath(), "utf8");
    // Still a failure (an emptied database looks the same), but one that says what happened.
    expect(await verifyAuditChain()).toMatchObject({
      ok: false, count: 0, anchoredSeq: 40, reason: expect.stringMatching(/belongs to a database that is no longer there: this one holds no audit records and no retention checkpoint/),
    });

    const aside = await retireStaleHeadAnchor();
    expect(aside).toBe(`${headAnchorPath()}.replaced-${path.basename(aside!).split(".replaced-")[1]}`);
    expect(await readFile(aside!, "utf8")).toBe(original);
    expect(await readHeadAnchor()).toEqual({ status: "none" });
    expect(await verifyAuditChain()).toMatchObject({ ok: true, anchoredSeq: null });
    // Nothing left to move.
    expect(await retireStaleHeadAnchor()).toBeNull();
  });

  it("stays where it is once the database holds a record, and its refusal is logged once per process", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    resetAnchorReports();
    await writeStaleAnchor();
    const original = await readFile(headAnchorPath(), "utf8");
    for (let i = 0; i < 3; i++) {
      await recordAudit(null, { action: "downloaded", actorLabel: "new-db", metadata: { i } });
      await flushHeadAnchor();
    }
    expect(errors.mock.calls.filter(([line]) => String(line).includes("ends before its anchored head"))).toHaveLength(1);
    expect(await retireStaleHeadAnchor()).toBeNull();
    expect(await readFile(headAnchorPath(), "utf8")).toBe(original);
    expect(await verifyAuditChain()).toMatchObject({ ok: false, reason: expect.stringMatching(/newest 37 records are missing/) });
  });

  it("is moved aside by scripts/prepare-db.ts when it creates the tables, and kept when it does not", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "careexport-prepare-"));
    try {
      // A SQLite file in either run: the point is a database created at a URL that had one before.
      const url = `file:${path.join(dir, "careexport.db")}`;
      const dataDir = path.join(dir, "data");
      const file = headAnchorPathFor(dataDir, url);
      const prepare = () => run("npx", ["tsx", "scripts/prepare-db.ts", "--no-seed"], { env: { ...process.env, DATABASE_URL: url, DATA_DIR: dataDir, STORAGE_DIR: path.join(dataDir, "files") }, cwd: process.cwd() });
      mkdirSync(dataDir, { recursive: true });
      await writeFile(file, "{\"seq\":40}\n");

      const first = await prepare();
      expect(first.stdout).toMatch(/new database: the audit head anchor of the earlier one was moved to .*\.replaced-/);
      const moved = readdirSync(dataDir).filter((name) => name.startsWith(`${path.basename(file)}.replaced-`));
      expect(moved).toHaveLength(1);
      expect(await readFile(path.join(dataDir, moved[0]!), "utf8")).toBe("{\"seq\":40}\n");
      // Whatever the new database audited since (the system templates) is anchored afresh.
      if (existsSync(file)) expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ seq: expect.any(Number), mac: expect.any(String) });

      // The tables exist now: an anchor found on the next start is this database's, left alone.
      await writeFile(file, "{\"seq\":41}\n");
      const second = await prepare();
      expect(second.stdout).not.toMatch(/moved to/);
      expect(await readFile(file, "utf8")).toBe("{\"seq\":41}\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is moved aside by `npm run cli -- db:migrate` when it creates the tables", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "careexport-migrate-"));
    try {
      const url = `file:${path.join(dir, "careexport.db")}`;
      const dataDir = path.join(dir, "data");
      const file = headAnchorPathFor(dataDir, url);
      mkdirSync(dataDir, { recursive: true });
      await writeFile(file, "{\"seq\":40}\n");
      const migrated = await run("npx", ["tsx", "cli/index.ts", "db:migrate"], { env: { ...process.env, DATABASE_URL: url, DATA_DIR: dataDir, STORAGE_DIR: path.join(dataDir, "files") }, cwd: process.cwd() });
      expect(migrated.stdout).toMatch(/new database: the audit head anchor of the earlier one was moved to .*\.replaced-/);
      expect(readdirSync(dataDir).filter((name) => name.startsWith(`${path.basename(file)}.replaced-`))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
