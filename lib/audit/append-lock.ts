// The one lock every change to the audit chain takes: appends, the retention purge and the head
// anchor's read-compare-replace all exclude each other through it, across processes.
import { isPostgres, type TTx } from "@/lib/db/client";

/** Arbitrary advisory-lock id that serializes appends across PostgreSQL connections. */
const AUDIT_APPEND_LOCK = 4_210_017;

/**
 * An advisory transaction lock on PostgreSQL; on SQLite, the write lock taken up front (a no-op
 * write) before anything is read, so a second process waits instead of failing on a read→write upgrade.
 */
export async function lockAuditAppends(tx: TTx) {
  if (isPostgres()) {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`);
  } else {
    await tx.$executeRawUnsafe(`UPDATE "Setting" SET "key" = "key" WHERE 0`);
  }
}
