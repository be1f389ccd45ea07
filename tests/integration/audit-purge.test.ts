import { describe, expect, it, vi } from "vitest";

import { GET as verifyRoute } from "@/app/api/v1/audit/verify/route";
import { flushHeadAnchor } from "@/lib/audit/head-anchor";
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

const YEAR_MS = 365.25 * 86_400_000;

/** The clock `years` on, as purgeAuditBefore's `now`: records written now are then that old. */
const yearsOn = (years: number, from = new Date()) => new Date(from.getTime() + years * YEAR_MS);

/** Writes records as a process whose clock says `at`; only Date is faked, timers run as usual. */
async function writeAt(at: Date, n: number, label: string) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
  try {
    await writeSome(n, label);
  } finally {
    vi.useRealTimers();
  }
}

describe("audit retention purge", () => {
  it("removes records before the cutoff, leaves a signed checkpoint, and the chain still verifies", async () => {
    await writeSome(5, "old");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cutoff = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writeSome(3, "new");
    const lastOld = await prisma.exportAuditLog.findFirstOrThrow({ where: { actorLabel: "old" }, orderBy: { seq: "desc" } });

    // Seven years on, the cutoff lies beyond the six-year retention horizon.
    const result = await purgeAuditBefore({ cutoff, actor: { userId: null, label: "test" }, now: yearsOn(7) });
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

    // A second purge, later still, moves the checkpoint forward and verification stays green.
    await flushHeadAnchor();
    const second = await purgeAuditBefore({ actor: { userId: admin.id }, now: yearsOn(7) });
    expect(second.purgedCount).toBeGreaterThan(0);
    expect(await verifyAuditChain()).toMatchObject({ ok: true, checkpointSeq: second.checkpointSeq });
  });

  it("refuses a cutoff later than the retention horizon, naming the earliest allowed one", async () => {
    await writeSome(3, "recent");
    const before = await prisma.exportAuditLog.count();
    const checkpoints = await prisma.auditCheckpoint.count();
    const now = new Date();
    const horizon = new Date(now);
    horizon.setUTCFullYear(horizon.getUTCFullYear() - 6);
    for (const cutoff of [now, new Date(now.getTime() - 1000), new Date(horizon.getTime() + 1)]) {
      await expect(purgeAuditBefore({ cutoff, actor: { userId: null, label: "test" }, now })).rejects.toMatchObject({
        code: "INVALID_INPUT",
        message: expect.stringContaining(`must not be later than ${horizon.toISOString()}`),
      });
    }
    expect(await prisma.exportAuditLog.count()).toBe(before);
    expect(await prisma.auditCheckpoint.count()).toBe(checkpoints);
    // The horizon itself is allowed (and purges nothing younger than it).
    expect(await purgeAuditBefore({ cutoff: horizon, actor: { userId: null, label: "test" }, now })).toMatchObject({ purgedCount: 0 });
  });

  it("never purges a record younger than the cutoff, even one before an older-clocked record", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    await writeSome(1, "skew-recent");
    // Another process whose clock is years behind appends after it.
    await writeAt(new Date(Date.now() - 8 * YEAR_MS), 2, "skew-old");
    const result = await purgeAuditBefore({ actor: { userId: admin.id } });
    expect(result.purgedCount).toBe(0);
    expect(await prisma.exportAuditLog.count({ where: { actorLabel: { startsWith: "skew-" } } })).toBe(3);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("uses the retention setting by default and purges nothing younger than it", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    await updateSettings({ audit_retention_years: 7 }, admin.id);
    await writeSome(2, "recent");
    const before = await prisma.exportAuditLog.count();
    const result = await purgeAuditBefore({ actor: { userId: admin.id } });
    expect(result.purgedCount).toBe(0);
    expect(result.cutoff.getUTCFullYear()).toBe(new Date().getUTCFullYear() - 7);
    expect(await prisma.exportAuditLog.count()).toBe(before);
    // Seven years on, the same setting covers them.
    const later = new Date(yearsOn(7).getTime() + 2 * 86_400_000);
    const purged = await purgeAuditBefore({ actor: { userId: admin.id }, now: later });
    expect(purged.purgedCount).toBe(before);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("reports a tampered checkpoint signature as broken", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    await writeSome(1, "x");
    // Eight years on, beyond the six-year retention: this test's own purge leaves the checkpoint.
    const purged = await purgeAuditBefore({ actor: { userId: admin.id }, now: yearsOn(8) });
    expect(purged.purgedCount).toBeGreaterThan(0);
    const checkpoint = await prisma.auditCheckpoint.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(checkpoint.seq).toBe(purged.checkpointSeq);
    await prisma.auditCheckpoint.update({ where: { id: checkpoint.id }, data: { signature: "0".repeat(64) } });
    try {
      const verified = await call(verifyRoute, { path: "/api/v1/audit/verify", token: await tokenFor(admin.id) });
      expect(verified.json).toMatchObject({ ok: false, broken_at_seq: checkpoint.seq, checkpoint: { seq: checkpoint.seq, isSignatureValid: false } });
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAtSeq: checkpoint.seq, reason: expect.stringMatching(/not signed with AUDIT_KEY/) });
    } finally {
      await prisma.auditCheckpoint.update({ where: { id: checkpoint.id }, data: { signature: checkpoint.signature } });
    }
    expect(await verifyAuditChain()).toMatchObject({ ok: true, checkpointSeq: checkpoint.seq });
  });
});
