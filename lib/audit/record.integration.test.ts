import { describe, expect, it } from "vitest";

import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { isPostgres, prisma } from "@/lib/db/client";

async function writeSome(n: number) {
  for (let i = 0; i < n; i++) {
    await recordAudit(null, { action: "downloaded", actorLabel: "test", exportJobId: `job-${i}`, metadata: { i, nested: { z: 1, a: [1, 2] } } });
  }
}

/** What an attacker with database access would do: switch the guard off, tamper, switch it on. */
async function withoutGuard(tamper: () => Promise<unknown>) {
  if (isPostgres()) {
    await prisma.$executeRawUnsafe(`ALTER TABLE "ExportAuditLog" DISABLE TRIGGER USER`);
    await tamper();
    await prisma.$executeRawUnsafe(`ALTER TABLE "ExportAuditLog" ENABLE TRIGGER USER`);
    return;
  }
  await prisma.$executeRawUnsafe(`DROP TRIGGER "ExportAuditLog_no_update"`);
  await prisma.$executeRawUnsafe(`DROP TRIGGER "ExportAuditLog_no_delete"`);
  await tamper();
  await prisma.$executeRawUnsafe(`CREATE TRIGGER "ExportAuditLog_no_update" BEFORE UPDATE ON "ExportAuditLog" BEGIN SELECT RAISE(ABORT, 'ExportAuditLog is append-only'); END`);
  await prisma.$executeRawUnsafe(`CREATE TRIGGER "ExportAuditLog_no_delete" BEFORE DELETE ON "ExportAuditLog" WHEN OLD."seq" > COALESCE((SELECT MAX("seq") FROM "AuditCheckpoint"), 0) BEGIN SELECT RAISE(ABORT, 'append-only'); END`);
}

async function snapshotAndRestore(body: () => Promise<void>) {
  const rows = await prisma.exportAuditLog.findMany({ orderBy: { seq: "asc" } });
  try {
    await body();
  } finally {
    await withoutGuard(async () => {
      await prisma.exportAuditLog.deleteMany({});
      for (const row of rows) await prisma.exportAuditLog.create({ data: { ...row, metadata: row.metadata ?? undefined } });
    });
  }
}

describe("audit trail", () => {
  it("keeps one unbroken chain under concurrent writers", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => recordAudit(null, { action: "export_created", actorLabel: `writer-${i}` })));
    const result = await verifyAuditChain();
    expect(result).toMatchObject({ ok: true });
    const seqs = (await prisma.exportAuditLog.findMany({ select: { seq: true }, orderBy: { seq: "asc" } })).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it("refuses UPDATE and DELETE in the database itself", async () => {
    await writeSome(2);
    await expect(prisma.$executeRawUnsafe(`UPDATE "ExportAuditLog" SET "action" = 'deleted' WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRawUnsafe(`DELETE FROM "ExportAuditLog" WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
  });

  it("detects an edited record", async () => {
    await writeSome(5);
    await snapshotAndRestore(async () => {
      await withoutGuard(() => prisma.$executeRawUnsafe(`UPDATE "ExportAuditLog" SET "userAgent" = 'forged' WHERE "seq" = 3`));
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAtSeq: 3 });
    });
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("detects a deleted record", async () => {
    await writeSome(5);
    await snapshotAndRestore(async () => {
      await withoutGuard(() => prisma.$executeRawUnsafe(`DELETE FROM "ExportAuditLog" WHERE "seq" = 4`));
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAtSeq: 4 });
    });
  });

  it("detects an inserted record", async () => {
    await writeSome(3);
    await snapshotAndRestore(async () => {
      const last = await prisma.exportAuditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
      await prisma.exportAuditLog.create({
        data: { seq: last.seq + 1, action: "downloaded", outcome: "success", prevHash: last.hash, hash: "0".repeat(64), createdAt: new Date() },
      });
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAtSeq: last.seq + 1 });
    });
  });
});
