// Retention checkpoints: the last purged record's seq and hash, signed with AUDIT_KEY. The database
// triggers let a DELETE through at or below the newest checkpoint's seq, and anyone who can write to
// the database can insert a checkpoint row; only its signature shows that the purge wrote it. So the
// chain walk and the head anchor start from a checkpoint only after checking its signature.
import { createHmac, timingSafeEqual } from "node:crypto";

import { canonicalJson } from "@/lib/audit/hash";
import type { TDb } from "@/lib/db/client";
import { env } from "@/lib/env";

export type TCheckpointFields = { seq: number; hash: string; purgedCount: number; createdAt: Date };

/** HMAC-SHA256 with AUDIT_KEY over the checkpoint's fields: a forged checkpoint cannot hide a cut. */
export function signCheckpoint(fields: TCheckpointFields): string {
  const body = canonicalJson({ seq: fields.seq, hash: fields.hash, purgedCount: fields.purgedCount, createdAt: fields.createdAt.toISOString() });

  return createHmac("sha256", env().AUDIT_KEY).update(body).digest("hex");
}

export function isCheckpointSignatureValid(fields: TCheckpointFields & { signature: string }): boolean {
  const expected = Buffer.from(signCheckpoint(fields), "hex");
  const given = Buffer.from(fields.signature, "hex");

  return expected.length === given.length && timingSafeEqual(expected, given);
}

export type TLatestCheckpoint = (TCheckpointFields & { signature: string; isSignatureValid: boolean }) | null;

/** The newest checkpoint (the one the triggers go by) and whether its signature holds; null when nothing was ever purged. */
export async function findLatestCheckpoint(db: TDb): Promise<TLatestCheckpoint> {
  const checkpoint = await db.auditCheckpoint.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true, purgedCount: true, createdAt: true, signature: true } });
  if (!checkpoint) return null;

  return { ...checkpoint, isSignatureValid: isCheckpointSignatureValid(checkpoint) };
}
