import { afterEach, describe, expect, it, vi } from "vitest";

import { checkChainSegment } from "@/lib/audit/chain-segment";
import { computeRecordHash } from "@/lib/audit/hash";
import { recordAudit } from "@/lib/audit/record";
import { snapshotAndRestore, withoutGuard } from "@/lib/audit/testing/audit-tampering";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { PG_CHECK_RANGE_SQL, postgresChainReader, SEQ_MAX, sha256Hex, sqliteChainReader } from "@/lib/audit/verify-chain-reader";
import { isPostgres, prisma } from "@/lib/db/client";
import { sqliteFilePath } from "@/lib/db/migrate";
import { env } from "@/lib/env";

async function writeSome(n: number) {
  for (let i = 0; i < n; i++) {
    await recordAudit(null, { action: "downloaded", actorLabel: "test", exportJobId: `job-${i}`, metadata: { i, nested: { z: 1, a: [1, 2] } } });
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

describe("audit trail: the database builds the hashed bytes", () => {
  it("matches the writer byte for byte, so no record written by the app needs the slower JavaScript path", async () => {
    const before = (await prisma.exportAuditLog.aggregate({ _max: { seq: true } }))._max.seq ?? 0;
    const tricky = [
      null,
      { b: 2, a: 1 },
      { z: { y: [3, { d: 1, c: "é \"quoted\" \\ back\nslash" }], x: null }, count: 0.5, ok: true },
      { emoji: "📄 résumé", tab: "a\tb", control: "\u0001", empty: {}, list: [] },
    ];
    for (const metadata of tricky) await recordAudit(null, { action: "downloaded", actorLabel: "O'Brien \"Q\"", meta: { ipAddress: "::1", userAgent: "Mozilla/5.0 (X11)", requestId: "req-1" }, metadata });

    const url = env().DATABASE_URL;
    const reader = isPostgres() ? await postgresChainReader(url) : sqliteChainReader(sqliteFilePath(url));
    try {
      const rows = await reader.rows(before, SEQ_MAX, 1_000);
      expect(rows).toHaveLength(tricky.length);
      const segment = checkChainSegment(rows, before + 1, rows[0]![1], sha256Hex);
      expect(segment).toMatchObject({ count: tricky.length, failure: null, unsure: [] });
      if (isPostgres()) {
        // The database's own range check hashes the same bytes: it flags only the range's two ends.
        const flagged = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(PG_CHECK_RANGE_SQL, before, SEQ_MAX);
        expect(flagged.map((row) => [row.seq, row.contentOk])).toEqual([[before + 1, true], [before + tricky.length, true]]);
      }
    } finally {
      await reader.close();
    }
  });
});

describe("audit trail verified on worker threads", () => {
  // Ranges of three records: the broken record lands inside, at the start and at the end of a later range.
  const parallel = { workers: 2, rangeSize: 3 };
  // verifyAuditChain falls back to one thread with a warning if the workers fail: that must not hide here.
  const warn = vi.spyOn(console, "warn");
  afterEach(() => expect(warn).not.toHaveBeenCalled());

  it("gives the same answer as one thread for an intact chain", async () => {
    await writeSome(14);
    const one = await verifyAuditChain({ workers: 0 });
    expect(one).toMatchObject({ ok: true });
    expect(await verifyAuditChain(parallel)).toEqual(one);
  });

  it.each([["first", 0], ["inside", 1], ["last", 2]] as const)("names an edited record %s in a later range", async (_, offset) => {
    await writeSome(14);
    const base = (await prisma.exportAuditLog.findFirstOrThrow({ orderBy: { seq: "desc" } })).seq - 14;
    // Ranges are (0,3], (3,6], ... from the genesis: a seq with (seq - 1) % 3 == offset sits at that place in its range.
    let seq = base + 4;
    while ((seq - 1) % 3 !== offset) seq += 1;
    await snapshotAndRestore(async () => {
      await withoutGuard(() => prisma.$executeRawUnsafe(`UPDATE "ExportAuditLog" SET "exportJobId" = 'forged' WHERE "seq" = ${seq}`));
      expect(await verifyAuditChain(parallel)).toMatchObject({ ok: false, brokenAtSeq: seq, count: seq - 1, reason: expect.stringMatching(/content/) });
      expect(await verifyAuditChain({ workers: 0 })).toMatchObject({ ok: false, brokenAtSeq: seq, count: seq - 1 });
    });
  });

  it("names a record deleted at a range boundary, and the first of two failures in different ranges", async () => {
    await writeSome(14);
    const count = await prisma.exportAuditLog.count();
    // Relative to range starts: with checkpoint-free chains ranges are (0,3], (3,6], ...
    const boundary = Math.ceil((count - 10) / 3) * 3 + 1;
    await snapshotAndRestore(async () => {
      await withoutGuard(() => prisma.$executeRawUnsafe(`DELETE FROM "ExportAuditLog" WHERE "seq" = ${boundary}`));
      expect(await verifyAuditChain(parallel)).toMatchObject({ ok: false, brokenAtSeq: boundary, reason: expect.stringMatching(/missing/) });
      await withoutGuard(() => prisma.$executeRawUnsafe(`UPDATE "ExportAuditLog" SET "userAgent" = 'forged' WHERE "seq" = ${boundary - 4}`));
      expect(await verifyAuditChain(parallel)).toMatchObject({ ok: false, brokenAtSeq: boundary - 4 });
    });
  });

  it("names an inserted record after the last range", async () => {
    await writeSome(7);
    await snapshotAndRestore(async () => {
      const last = await prisma.exportAuditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
      await prisma.exportAuditLog.create({
        data: { seq: last.seq + 1, action: "downloaded", outcome: "success", prevHash: last.hash, hash: "0".repeat(64), createdAt: new Date() },
      });
      expect(await verifyAuditChain(parallel)).toMatchObject({ ok: false, brokenAtSeq: last.seq + 1 });
    });
  });

  it("accepts a record whose stored metadata text is not in canonical form (the JavaScript path)", async () => {
    await writeSome(5);
    await snapshotAndRestore(async () => {
      const last = await prisma.exportAuditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
      const record = {
        seq: last.seq + 1, action: "downloaded", outcome: "success", userId: null, actorLabel: "test", exportJobId: null, patientId: null, dataset: null,
        templateId: null, scheduleId: null, ipAddress: null, userAgent: null, requestId: null, metadata: { b: 1.5, a: { d: 2, c: "x" } }, createdAt: new Date(),
      };
      const hash = computeRecordHash(record, last.hash);
      // Keys unsorted and spaced, as another writer or a restore tool might leave them.
      const values = isPostgres() ? "$1, $2, 'downloaded', 'success', 'test', $3::json, $4, $5, $6" : "?, ?, 'downloaded', 'success', 'test', ?, ?, ?, ?";
      await prisma.$executeRawUnsafe(
        `INSERT INTO "ExportAuditLog" ("id", "seq", "action", "outcome", "actorLabel", "metadata", "createdAt", "prevHash", "hash") VALUES (${values})`,
        `manual-${record.seq}`, record.seq, '{"b": 1.50, "a": {"d": 2, "c": "x"}}',
        // As each adapter stores DateTime: timestamp(3) on PostgreSQL, ISO text with +00:00 on SQLite.
        isPostgres() ? record.createdAt : record.createdAt.toISOString().replace("Z", "+00:00"), last.hash, hash,
      );
      expect(await verifyAuditChain(parallel)).toMatchObject({ ok: true, lastSeq: record.seq });
      expect(await verifyAuditChain({ workers: 0 })).toMatchObject({ ok: true, lastSeq: record.seq });
    });
  });
});
