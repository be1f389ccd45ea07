import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

import { GET as verifyRoute } from "@/app/api/v1/audit/verify/route";
import { isCheckpointSignatureValid, purgeAuditBefore } from "@/lib/audit/purge-audit";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { prisma } from "@/lib/db/client";
import { updateSettings } from "@/lib/settings/settings";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

async function writeSome(n: number, label: string) {
  for (let i = 0; i < n; i++) await recordAudit(null, { action: "downloaded", actorLabel: label, metadata: { i } });
}

describe("audit retention purge", () => {
  it("removes records before the cutoff, leaves a signed checkpoint, and the chain still verifies", async () => {
    await writeSome(5, "old");
    const cutoff = new Date(Date.now() + 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writeSome(3, "new");
    const lastOld = await prisma.exportAuditLog.findFirstOrThrow({ where: { actorLabel: "old" }, orderBy: { seq: "desc" } });

    const result = await purgeAuditBefore({ cutoff, actor: { userId: null, label: "test" } });
    expect(result).toMatchObject({ purgedCount: 5, checkpointSeq: lastOld.seq });

    const checkpoint = await prisma.auditCheckpoint.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(checkpoint).toMatchObject({ seq: lastOld.seq, hash: lastOld.hash, purgedCount: 5 });
    expect(isCheckpointSignatureValid(checkpoint)).toBe(true);
    expect(isCheckpointSignatureValid({ ...checkpoint, purgedCount: 4 })).toBe(false);

    expect(await prisma.exportAuditLog.count({ where: { actorLabel: "old" } })).toBe(0);
    expect(await prisma.exportAuditLog.count({ where: { actorLabel: "new" } })).toBe(3);
    const purged = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "audit_purged" } });
    expect(purged.metadata).toMatchObject({ purgedCount: 5, checkpointSeq: lastOld.seq });

    expect(await verifyAuditChain()).toMatchObject({ ok: true, checkpointSeq: lastOld.seq, count: 4 });
    await writeSome(2, "after");
    expect(await verifyAuditChain()).toMatchObject({ ok: true, count: 6 });

    // Records newer than the checkpoint are still protected by the trigger.
    await expect(prisma.exportAuditLog.deleteMany({ where: { actorLabel: "new" } })).rejects.toThrow();
    expect(await prisma.exportAuditLog.count({ where: { actorLabel: "new" } })).toBe(3);

    const { user: admin } = await createUser({ role: "ADMIN" });
    const verified = await call(verifyRoute, { path: "/api/v1/audit/verify", token: await tokenFor(admin.id) });
    expect(verified.json).toMatchObject({ ok: true, checkpoint: { seq: lastOld.seq, isSignatureValid: true } });

    // A second purge moves the checkpoint forward and verification stays green.
    const second = await purgeAuditBefore({ cutoff: new Date(), actor: { userId: admin.id } });
    expect(second.purgedCount).toBeGreaterThan(0);
    expect(await verifyAuditChain()).toMatchObject({ ok: true, checkpointSeq: second.checkpointSeq });
  });

  it("uses the retention setting by default and purges nothing younger than it", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    await updateSettings({ audit_retention_years: 1 }, admin.id);
    await writeSome(2, "recent");
    const before = await prisma.exportAuditLog.count();
    const result = await purgeAuditBefore({ actor: { userId: admin.id } });
    expect(result.purgedCount).toBe(0);
    expect(result.cutoff.getUTCFullYear()).toBe(new Date().getUTCFullYear() - 1);
    expect(await prisma.exportAuditLog.count()).toBe(before);
    // A year on, the same setting covers them.
    const later = new Date(Date.now() + 366 * 86_400_000 + 60_000);
    const purged = await purgeAuditBefore({ actor: { userId: admin.id }, now: later });
    expect(purged.purgedCount).toBe(before);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("reports a tampered checkpoint signature as broken", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    await writeSome(1, "x");
    await purgeAuditBefore({ cutoff: new Date(), actor: { userId: admin.id } });
    const checkpoint = await prisma.auditCheckpoint.findFirstOrThrow({ orderBy: { seq: "desc" } });
    await prisma.auditCheckpoint.update({ where: { id: checkpoint.id }, data: { signature: "0".repeat(64) } });
    const verified = await call(verifyRoute, { path: "/api/v1/audit/verify", token: await tokenFor(admin.id) });
    expect(verified.json).toMatchObject({ ok: false, broken_at_seq: checkpoint.seq });
    await prisma.auditCheckpoint.update({ where: { id: checkpoint.id }, data: { signature: checkpoint.signature } });
  });

  it("runs as `npm run cli -- audit:purge`", async () => {
    await writeSome(2, "cli");
    // The cutoff is the test's "now", a few ms after the records above: they are older than it, and
    // the CLI, started later, never sees it in the future (a cutoff a second ahead did, on a fast machine).
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cutoff = new Date().toISOString();
    const run = promisify(execFile);
    const env = { ...process.env };
    const { stdout } = await run("npx", ["tsx", "cli/index.ts", "audit:purge", "--before", cutoff], { env, cwd: process.cwd() });
    expect(Number(/Purged (\d+) audit records/.exec(stdout)?.[1])).toBeGreaterThanOrEqual(2);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
    const bad = await run("npx", ["tsx", "cli/index.ts", "audit:purge", "--before", "soon"], { env }).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2 });
  });
});
