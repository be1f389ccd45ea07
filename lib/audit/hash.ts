import { createHash } from "node:crypto";

/** The fields the hash covers, in the form they are stored. */
export type TChainedRecord = {
  seq: number;
  action: string;
  outcome: string;
  userId: string | null;
  actorLabel: string | null;
  exportJobId: string | null;
  patientId: string | null;
  dataset: string | null;
  templateId: string | null;
  scheduleId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: unknown;
  createdAt: Date;
};

export const GENESIS_HASH = "0".repeat(64);

/**
 * JSON with object keys sorted at every depth. PostgreSQL's JSONB reorders keys, so the
 * hash must not depend on the order a database hands them back in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }

  return JSON.stringify(value);
}

export function computeRecordHash(record: TChainedRecord, prevHash: string): string {
  const body = canonicalJson({
    seq: record.seq,
    action: record.action,
    outcome: record.outcome,
    userId: record.userId,
    actorLabel: record.actorLabel,
    exportJobId: record.exportJobId,
    patientId: record.patientId,
    dataset: record.dataset,
    templateId: record.templateId,
    scheduleId: record.scheduleId,
    ipAddress: record.ipAddress,
    userAgent: record.userAgent,
    requestId: record.requestId,
    metadata: record.metadata ?? null,
    createdAt: record.createdAt.toISOString(),
  });

  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}
