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

const text = (value: string | null) => (value === null ? "null" : JSON.stringify(value));

/**
 * The bytes a record's hash covers: a JSON array of the fixed fields in a fixed order, built by
 * hand because the verifier runs it over every record (a generic sorted-key serializer was the
 * bottleneck). Only the free-form metadata goes through canonicalJson. Writer and verifier both
 * call this; changing the field order or set changes every hash.
 */
export function serializeAuditRecord(record: TChainedRecord): string {
  return (
    `[${record.seq},${text(record.action)},${text(record.outcome)},${text(record.userId)},${text(record.actorLabel)},` +
    `${text(record.exportJobId)},${text(record.patientId)},${text(record.dataset)},${text(record.templateId)},` +
    `${text(record.scheduleId)},${text(record.ipAddress)},${text(record.userAgent)},${text(record.requestId)},` +
    `${record.metadata == null ? "null" : canonicalJson(record.metadata)},"${record.createdAt.toISOString()}"]`
  );
}

/** SHA-256 over the previous record's hash and this record's serialization: the chain link. */
export function computeRecordHash(record: TChainedRecord, prevHash: string): string {
  return createHash("sha256").update(`${prevHash}\n${serializeAuditRecord(record)}`).digest("hex");
}
