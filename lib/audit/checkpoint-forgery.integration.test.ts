// An unsigned checkpoint: anyone who can write to the database can insert one, and the triggers then
// let DELETE through up to its seq without being switched off. Neither verify nor the anchor may
// take such a checkpoint's word for records being purged.
import { readFile } from "node:fs/promises";

import { describe, expect, it } from "vitest";

import { flushHeadAnchor, headAnchorPath, readHeadAnchor } from "@/lib/audit/head-anchor";
import { verifyAuditTrail } from "@/lib/audit/purge-audit";
import { recordAudit } from "@/lib/audit/record";
import { snapshotAndRestore } from "@/lib/audit/testing/audit-tampering";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { prisma } from "@/lib/db/client";

async function writeSome(n: number, label = "test") {
  for (let i = 0; i < n; i++) await recordAudit(null, { action: "downloaded", actorLabel: label, metadata: { i } });
}

/** The forged checkpoint at the current head (its seq and hash, a signature that is not AUDIT_KEY's), removed afterwards. */
async function withForgedCheckpoint(body: (head: { seq: number; hash: string }) => Promise<void>) {
  const head = await prisma.exportAuditLog.findFirstOrThrow({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const forged = await prisma.auditCheckpoint.create({ data: { seq: head.seq, hash: head.hash, purgedCount: head.seq, createdAt: new Date(), signature: "ab".repeat(32) } });
  try {
    await body(head);
  } finally {
    await prisma.auditCheckpoint.delete({ where: { id: forged.id } });
  }
}

const PATHS = [["one thread", { workers: 0 }], ["worker threads", { workers: 2, rangeSize: 3 }]] as const;

describe("an unsigned audit checkpoint", () => {
  it.each(PATHS)("does not let the newest records be deleted unnoticed (%s)", async (_, options) => {
    await writeSome(6);
    await flushHeadAnchor();
    await snapshotAndRestore(() =>
      withForgedCheckpoint(async (head) => {
        // No guard switched off: the trigger allows it up to the newest checkpoint.
        expect(await prisma.$executeRawUnsafe(`DELETE FROM "ExportAuditLog" WHERE "seq" > ${head.seq - 2}`)).toBe(2);
        expect(await verifyAuditChain(options)).toMatchObject({
          ok: false, brokenAtSeq: head.seq, checkpointSeq: head.seq, reason: expect.stringMatching(new RegExp(`checkpoint at record ${head.seq} is not signed with AUDIT_KEY`)),
        });
        // The admin page and API.
        expect(await verifyAuditTrail({ actorId: "nobody" })).toMatchObject({ ok: false, broken_at_seq: head.seq, reason: expect.stringMatching(/not signed with AUDIT_KEY/) });
      }),
    );
    expect(await verifyAuditChain(options)).toMatchObject({ ok: true });
  });

  it("does not move the head anchor past records it claims were purged", async () => {
    await writeSome(4);
    await flushHeadAnchor();
    const before = await readFile(headAnchorPath(), "utf8");
    await snapshotAndRestore(() =>
      withForgedCheckpoint(async (head) => {
        expect(await readHeadAnchor()).toMatchObject({ status: "ok", anchor: { seq: head.seq } });
        // Everything up to the forged checkpoint goes; the next record chains from the checkpoint.
        await prisma.$executeRawUnsafe(`DELETE FROM "ExportAuditLog" WHERE "seq" <= ${head.seq}`);
        await writeSome(2, "after-the-cut");
        await flushHeadAnchor();
        expect(await readFile(headAnchorPath(), "utf8")).toBe(before);
        expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAtSeq: head.seq, reason: expect.stringMatching(/not signed with AUDIT_KEY/) });
      }),
    );
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
