// `npm run cli -- audit:purge` in its own database: its records must be the oldest in the chain,
// written by a clock years behind, before anything else is audited.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { describe, expect, it, vi } from "vitest";

import { readHeadAnchor } from "@/lib/audit/head-anchor";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { prisma } from "@/lib/db/client";

const run = promisify(execFile);
const cli = (...args: string[]) => run("npx", ["tsx", "cli/index.ts", "audit:purge", ...args], { env: { ...process.env }, cwd: process.cwd() });
const failure = (error: { code: number; stderr: string }) => error;

describe("npm run cli -- audit:purge", () => {
  it("refuses --before inside the retention period (exit 2, naming the horizon) and purges what is older", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(Date.now() - 8 * 365.25 * 86_400_000));
    try {
      for (let i = 0; i < 2; i++) await recordAudit(null, { action: "downloaded", actorLabel: "eight-years-ago", metadata: { i } });
    } finally {
      vi.useRealTimers();
    }

    const today = new Date().toISOString().slice(0, 10);
    const refused = await cli("--before", today).catch(failure);
    expect(refused).toMatchObject({ code: 2 });
    expect((refused as { stderr: string }).stderr).toMatch(/must not be later than \d{4}-\d{2}-\d{2}T.*kept for 6 years.*earliest allowed purge horizon/);
    expect(await prisma.exportAuditLog.count()).toBe(2);

    const { stdout } = await cli();
    expect(stdout).toMatch(/Purged 2 audit records/);
    expect(await prisma.exportAuditLog.count({ where: { actorLabel: "eight-years-ago" } })).toBe(0);
    // The command anchored its own audit_purged record before exiting.
    const head = await prisma.exportAuditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(head.action).toBe("audit_purged");
    expect(await readHeadAnchor()).toMatchObject({ status: "ok", anchor: { seq: head.seq, hash: head.hash } });
    expect(await verifyAuditChain()).toMatchObject({ ok: true, checkpointSeq: 2, anchoredSeq: head.seq });

    expect(await cli("--before", "soon").catch(failure)).toMatchObject({ code: 2 });
    // Not a real date: refused, not rolled over into March (a purge deletes).
    const rolled = await cli("--before", "2019-02-30").catch(failure);
    expect(rolled).toMatchObject({ code: 2, stderr: expect.stringContaining("--before is not a real calendar date") });
  });
});
