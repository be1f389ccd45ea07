// Tampering with the audit trail the way an attacker with database access would, for the tests
// that prove it shows: the append-only guard switched off, the rows changed, the guard back on.
import { readFile, rm, writeFile } from "node:fs/promises";

import { flushHeadAnchor, headAnchorPath } from "@/lib/audit/head-anchor";
import { isPostgres, prisma } from "@/lib/db/client";

/** What an attacker with database access would do: switch the guard off, tamper, switch it on. */
export async function withoutGuard(tamper: () => Promise<unknown>) {
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

/**
 * Puts the rows back after a tampering test, and the head anchor with them: the anchor may have
 * followed a tampered head meanwhile (its update runs a second after any write), as it should.
 */
export async function snapshotAndRestore(body: () => Promise<void>) {
  await flushHeadAnchor();
  const rows = await prisma.exportAuditLog.findMany({ orderBy: { seq: "asc" } });
  const anchor = await readFile(headAnchorPath(), "utf8").catch(() => null);
  try {
    await body();
  } finally {
    await withoutGuard(async () => {
      await prisma.exportAuditLog.deleteMany({});
      for (const row of rows) await prisma.exportAuditLog.create({ data: { ...row, metadata: row.metadata ?? undefined } });
    });
    // Waits for an update in progress, then puts the file back.
    await flushHeadAnchor();
    if (anchor === null) await rm(headAnchorPath(), { force: true });
    else await writeFile(headAnchorPath(), anchor);
  }
}
