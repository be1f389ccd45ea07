// The chain's head anchor. A hash chain shows an edited or missing record between two others, but
// not that its newest records were cut off: what remains still links up. So the newest committed
// (seq, hash) is also kept outside the database, in DATA_DIR, signed with AUDIT_KEY. Someone with
// only database access can neither sign a lower head nor write the file; verify then sees a chain
// that ends before the anchor, or a different record at the anchored seq.
//
// Writes only schedule an update (at most one per ANCHOR_DELAY_MS per process), so they stay as fast
// as before and a record is anchored within about a second of being written. The update runs under
// the append lock, so processes sharing the database and DATA_DIR replace the file one at a time,
// and only ever forward: never to a lower seq, and never past an anchored record that is gone.
// A deliberate restore of an older database backup is reported the same way as a cut; the operator
// who restores moves the file aside, and the next write anchors the restored head.
//
// A database created anew at the same URL (a deleted SQLite file, a PostgreSQL database dropped and
// created again) has no chain for the old anchor to match. It cannot be told apart from a database
// that someone emptied completely, so verify keeps reporting it (naming the file) rather than
// passing: otherwise emptying every table would be a way around the anchor. Only when
// scripts/prepare-db.ts has itself just created the tables of an empty database does it move the
// file aside (retireStaleHeadAnchor), renamed rather than deleted and logged, so the evidence stays
// for whoever wonders where the old chain went. Someone who can drop the whole schema and have the
// app restarted could use that; the renamed file and the log line are what shows it then.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";

import { lockAuditAppends } from "@/lib/audit/append-lock";
import { findLatestCheckpoint } from "@/lib/audit/checkpoint";
import { canonicalJson } from "@/lib/audit/hash";
import { prisma, runBeforeDisconnect } from "@/lib/db/client";
import { migrationNames } from "@/lib/db/migrate";
import { env, isPostgresUrl } from "@/lib/env";
import { logger } from "@/lib/logger";

/** The most a record waits to be anchored; also the least time between two updates in one process. */
export const ANCHOR_DELAY_MS = 1_000;

export type THeadAnchor = { database: string; seq: number; hash: string; anchoredAt: string; mac: string };

export type TAnchorRead = { status: "none" } | { status: "ok"; anchor: THeadAnchor; file: string } | { status: "invalid"; file: string; reason: string };

/**
 * Which database an anchor belongs to, without credentials: a bench or a second database pointed at
 * the same DATA_DIR must not be checked against another chain's head.
 */
export function databaseLabel(url: string): string {
  if (!isPostgresUrl(url)) return `sqlite:${url.replace(/^file:/, "").split("?")[0]}`;
  const parsed = new URL(url);

  return `postgresql://${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
}

export function headAnchorPath(): string {
  const { DATA_DIR, DATABASE_URL } = env();

  return headAnchorPathFor(DATA_DIR, DATABASE_URL);
}

export function headAnchorPathFor(dataDir: string, databaseUrl: string): string {
  const key = createHash("sha256").update(databaseLabel(databaseUrl)).digest("hex").slice(0, 16);

  return path.join(dataDir, `audit-head.${key}.json`);
}

function anchorMac(fields: Omit<THeadAnchor, "mac">): string {
  // The purpose string keeps a checkpoint's signature (the same key) from passing as an anchor's.
  const body = canonicalJson({ purpose: "careexport.audit-head.v1", database: fields.database, seq: fields.seq, hash: fields.hash, anchoredAt: fields.anchoredAt });

  return createHmac("sha256", env().AUDIT_KEY).update(body).digest("hex");
}

export function signHeadAnchor(head: { seq: number; hash: string }, anchoredAt = new Date()): THeadAnchor {
  const fields = { database: databaseLabel(env().DATABASE_URL), seq: head.seq, hash: head.hash, anchoredAt: anchoredAt.toISOString() };

  return { ...fields, mac: anchorMac(fields) };
}

/** The anchor for this database: none on a fresh install, invalid when unreadable or its signature fails. */
export async function readHeadAnchor(): Promise<TAnchorRead> {
  const file = headAnchorPath();
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { status: "none" };
    return { status: "invalid", file, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})` };
  }
  let anchor: THeadAnchor;
  try {
    anchor = JSON.parse(text) as THeadAnchor;
  } catch {
    return { status: "invalid", file, reason: "is not JSON" };
  }
  if (!Number.isSafeInteger(anchor?.seq) || typeof anchor.hash !== "string" || typeof anchor.anchoredAt !== "string" || typeof anchor.mac !== "string" || typeof anchor.database !== "string") {
    return { status: "invalid", file, reason: "lacks seq, hash, anchoredAt, database or mac" };
  }
  const expected = Buffer.from(anchorMac(anchor), "hex");
  const given = Buffer.from(anchor.mac, "hex");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { status: "invalid", file, reason: "signature does not match (edited, or AUDIT_KEY changed)" };

  return { status: "ok", anchor, file };
}

/** Temp file, fsync, rename: a reader or a crash sees the old anchor or the new one, never half of one. */
async function writeAnchorFile(file: string, anchor: THeadAnchor) {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const handle = await open(temp, "w", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(anchor, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

const reported = new Set<string>();

/**
 * A refusal is logged once per process and condition: the update runs after every write, and the
 * same error once a second would bury everything else in the log. Verify reports it every time.
 */
function reportOnce(key: string, message: string, fields: Record<string, unknown>) {
  if (reported.has(key)) return;
  reported.add(key);
  logger.error(message, fields);
}

/** For tests: forget which conditions were already logged. */
export function resetAnchorReports() {
  reported.clear();
}

/**
 * Moves the anchor to the newest committed record. Holding the append lock, nobody appends or
 * replaces the file meanwhile. Refuses (and logs) when the anchored record is no longer in the
 * chain: moving on would erase the evidence verify reports.
 */
async function advanceHeadAnchor(): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await lockAuditAppends(tx);
    const [head, current] = await Promise.all([
      tx.exportAuditLog.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } }),
      readHeadAnchor(),
    ]);
    if (!head) return;
    if (current.status === "invalid") {
      reportOnce(`invalid:${current.file}:${current.reason}`, "audit head anchor is invalid; not replacing it", { file: current.file, reason: current.reason });
      return;
    }
    if (current.status === "ok") {
      const anchored = current.anchor;
      const condition = `${current.file}:${anchored.seq}:${anchored.hash}`;
      if (head.seq < anchored.seq) {
        reportOnce(`behind:${condition}`, "audit chain ends before its anchored head: newest records removed", { headSeq: head.seq, anchoredSeq: anchored.seq });
        return;
      }
      if (head.seq === anchored.seq && head.hash === anchored.hash) return;
      const [row, checkpoint] = await Promise.all([
        tx.exportAuditLog.findUnique({ where: { seq: anchored.seq }, select: { hash: true } }),
        findLatestCheckpoint(tx),
      ]);
      if (checkpoint && !checkpoint.isSignatureValid) {
        // The triggers let DELETE through up to the newest checkpoint, whoever inserted it.
        reportOnce(`checkpoint:${condition}:${checkpoint.seq}`, "the newest audit checkpoint is not signed with AUDIT_KEY; not moving the anchor", { checkpointSeq: checkpoint.seq, anchoredSeq: anchored.seq });
        return;
      }
      // A record purged by retention is legitimately gone; the (signed) checkpoint vouches for it.
      const isPurged = !row && checkpoint !== null && anchored.seq <= checkpoint.seq;
      if (!isPurged && row?.hash !== anchored.hash) {
        reportOnce(`replaced:${condition}`, "audit record at the anchored head was removed or replaced; not moving the anchor", { anchoredSeq: anchored.seq });
        return;
      }
    }
    await writeAnchorFile(headAnchorPath(), signHeadAnchor(head));
  });
}

let timer: NodeJS.Timeout | null = null;
let running: Promise<void> = Promise.resolve();

/**
 * Called after each audit write. The update runs later, so a caller's transaction has committed
 * by then; it reads the committed head, which also covers other processes' records.
 */
export function scheduleHeadAnchor() {
  if (timer) return;
  // A process that closes the database before the timer fires anchors on its way out.
  runBeforeDisconnect(flushHeadAnchor);
  timer = setTimeout(() => {
    timer = null;
    void flushHeadAnchor();
  }, ANCHOR_DELAY_MS);
  // A long-lived process keeps running anyway; a short one anchors when it disconnects.
  timer.unref();
}

/** Anchors the current head now (and cancels a scheduled update). Failures are logged, never thrown: auditing goes on. */
export function flushHeadAnchor(): Promise<void> {
  if (timer) {
    clearTimeout(timer);
    timer = null;
  }
  running = running.then(advanceHeadAnchor).catch((error: unknown) => logger.error("audit head anchor update failed", { error }));

  return running;
}

/**
 * After migrations are applied (scripts/prepare-db.ts, `npm run cli -- db:migrate`): when this run
 * created the tables, an anchor of an earlier database at this URL is retired (see below). Returns
 * a line to print, or null.
 */
export async function retireAnchorIfDatabaseIsNew(applied: string[], databaseUrl: string): Promise<string | null> {
  const isNewDatabase = applied[0] !== undefined && applied[0] === migrationNames(isPostgresUrl(databaseUrl))[0];
  if (!isNewDatabase) return null;
  const aside = await retireStaleHeadAnchor();

  return aside ? `new database: the audit head anchor of the earlier one was moved to ${aside}` : null;
}

/**
 * Right after the first migrations were applied to an empty database: an
 * anchor left by an earlier database at the same URL is moved aside (`<file>.replaced-<timestamp>`,
 * kept as evidence, and logged), so the new chain is not reported as cut off forever. Does nothing
 * when the database holds any audit record or checkpoint, or when there is no anchor file.
 * Returns the new name of the file, if it moved.
 */
export async function retireStaleHeadAnchor(): Promise<string | null> {
  const file = headAnchorPath();
  if (!existsSync(file)) return null;

  return prisma.$transaction(async (tx) => {
    await lockAuditAppends(tx);
    const [records, checkpoints] = await Promise.all([tx.exportAuditLog.count(), tx.auditCheckpoint.count()]);
    if (records > 0 || checkpoints > 0) return null;
    const read = await readHeadAnchor();
    if (read.status === "none") return null;
    const aside = `${file}.replaced-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    await rename(file, aside);
    logger.warn("audit head anchor of an earlier database at this URL moved aside: the database was created anew", {
      file: aside,
      ...(read.status === "ok" ? { anchoredSeq: read.anchor.seq, anchoredAt: read.anchor.anchoredAt } : { reason: read.reason }),
    });

    return aside;
  });
}
