import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";

import { describe, expect, it, vi } from "vitest";

import { flushHeadAnchor, headAnchorPath, readHeadAnchor, signHeadAnchor } from "@/lib/audit/head-anchor";
import { verifyAuditTrail } from "@/lib/audit/purge-audit";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { snapshotAndRestore, withoutGuard } from "@/lib/audit/testing/audit-tampering";
import { prisma } from "@/lib/db/client";

async function writeSome(n: number, label = "test") {
  for (let i = 0; i < n; i++) await recordAudit(null, { action: "downloaded", actorLabel: label, metadata: { i } });
}

const headSeq = async () => (await prisma.exportAuditLog.findFirstOrThrow({ orderBy: { seq: "desc" } })).seq;

// One thread, and worker threads over ranges of three records: both paths end at the anchor check.
const PATHS = [["one thread", { workers: 0 }], ["worker threads", { workers: 2, rangeSize: 3 }]] as const;

describe("audit head anchor", () => {
  it("is absent on a fresh install, and the chain verifies", async () => {
    expect(await readHeadAnchor()).toEqual({ status: "none" });
    expect(await verifyAuditChain()).toMatchObject({ ok: true, count: 0, anchoredSeq: null });
  });

  it("follows the head within about a second of a write, off the writer's path", async () => {
    await writeSome(3);
    // Scheduled, not written by the append itself.
    expect(existsSync(headAnchorPath())).toBe(false);
    const last = await prisma.exportAuditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
    await vi.waitFor(async () => expect(await readHeadAnchor()).toMatchObject({ status: "ok", anchor: { seq: last.seq, hash: last.hash } }), { timeout: 5_000, interval: 100 });
    expect(await verifyAuditChain()).toMatchObject({ ok: true, lastSeq: last.seq, anchoredSeq: last.seq });
  });

  it.each(PATHS)("reports the newest two records deleted (%s)", async (_, options) => {
    await writeSome(5);
    await flushHeadAnchor();
    const last = await headSeq();
    await snapshotAndRestore(async () => {
      await withoutGuard(() => prisma.$executeRawUnsafe(`DELETE FROM "ExportAuditLog" WHERE "seq" > ${last - 2}`));
      expect(await verifyAuditChain(options)).toMatchObject({
        ok: false, brokenAtSeq: last - 1, anchoredSeq: last, reason: expect.stringMatching(new RegExp(`ends at record ${last - 2} .*newest 2 records are missing`)),
      });
      expect(await verifyAuditTrail({ actorId: "nobody" })).toMatchObject({ ok: false, broken_at_seq: last - 1 });
    });
    expect(await verifyAuditChain(options)).toMatchObject({ ok: true, lastSeq: last });
  });

  it("reports records deleted and written again in their place, and does not move past them", async () => {
    await writeSome(4);
    await flushHeadAnchor();
    const last = await headSeq();
    const before = await readFile(headAnchorPath(), "utf8");
    await snapshotAndRestore(async () => {
      await withoutGuard(() => prisma.$executeRawUnsafe(`DELETE FROM "ExportAuditLog" WHERE "seq" > ${last - 2}`));
      // Properly chained newcomers (anyone can compute SHA-256) take the deleted seqs and go beyond.
      await writeSome(3, "rewritten");
      await flushHeadAnchor();
      expect(await readFile(headAnchorPath(), "utf8")).toBe(before);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAtSeq: last, reason: expect.stringMatching(/not the one the head anchor/) });
    });
  });

  it("never moves back to a lower head, and keeps up with concurrent writers", async () => {
    const last = await headSeq();
    const ahead = signHeadAnchor({ seq: last + 5, hash: "a".repeat(64) });
    await writeFile(headAnchorPath(), JSON.stringify(ahead));
    await writeSome(1);
    await flushHeadAnchor();
    expect(await readHeadAnchor()).toMatchObject({ status: "ok", anchor: { seq: last + 5 } });
    expect(await verifyAuditChain()).toMatchObject({ ok: false, reason: expect.stringMatching(/records are missing/) });

    await writeFile(headAnchorPath(), JSON.stringify(signHeadAnchor(await prisma.exportAuditLog.findFirstOrThrow({ orderBy: { seq: "desc" } }))));
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? flushHeadAnchor() : recordAudit(null, { action: "export_created", actorLabel: `writer-${i}` }))));
    await flushHeadAnchor();
    expect(await readHeadAnchor()).toMatchObject({ status: "ok", anchor: { seq: await headSeq() } });
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("reports an edited anchor file", async () => {
    await flushHeadAnchor();
    const file = headAnchorPath();
    const original = await readFile(file, "utf8");
    const anchor = JSON.parse(original) as { seq: number };
    await writeFile(file, JSON.stringify({ ...anchor, seq: anchor.seq - 1 }));
    try {
      expect(await verifyAuditChain()).toMatchObject({ ok: false, reason: expect.stringMatching(/signature does not match/) });
    } finally {
      await writeFile(file, original);
    }
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
