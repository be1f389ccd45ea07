import { hash } from "node:crypto";

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
 * JSON with object keys sorted at every depth: the hash must not depend on the order in which a
 * database (or a JSON parser) hands keys back.
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

/** The fixed fields, as they are stored; metadata and createdAt arrive already serialized. */
type TFixedFields = Omit<TChainedRecord, "metadata" | "createdAt">;

/**
 * The bytes a record's hash covers: a JSON array of the fixed fields in a fixed order, built by
 * hand because the verifier runs it over every record (a generic sorted-key serializer was the
 * bottleneck). Only the free-form metadata is canonicalJson. Writer and verifier both end here;
 * changing the field order or set changes every hash.
 */
function serializeFields(record: TFixedFields, metadataJson: string, createdAtIso: string): string {
  return (
    `[${record.seq},${text(record.action)},${text(record.outcome)},${text(record.userId)},${text(record.actorLabel)},` +
    `${text(record.exportJobId)},${text(record.patientId)},${text(record.dataset)},${text(record.templateId)},` +
    `${text(record.scheduleId)},${text(record.ipAddress)},${text(record.userAgent)},${text(record.requestId)},` +
    `${metadataJson},"${createdAtIso}"]`
  );
}

export function serializeAuditRecord(record: TChainedRecord): string {
  return serializeFields(record, canonicalJson(record.metadata ?? null), record.createdAt.toISOString());
}

// The one-shot crypto.hash is several times faster than createHash() for inputs this small.
const link = (prevHash: string, body: string) => hash("sha256", `${prevHash}\n${body}`, "hex");

/** SHA-256 over the previous record's hash and this record's serialization: the chain link. */
export function computeRecordHash(record: TChainedRecord, prevHash: string): string {
  return link(prevHash, serializeAuditRecord(record));
}

/** A record as the verifier reads it from the database: metadata as JSON text, createdAt as text. */
export type TStoredText = TFixedFields & { metadataText: string | null; createdAtText: string; prevHash: string; hash: string };

const ISO_UTC_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

function isoFromText(createdAt: string): string {
  if (createdAt.length === 24 && createdAt.endsWith("Z")) return createdAt;
  // The SQLite adapter stores "...sss+00:00"; anything else goes through Date.
  if (ISO_UTC_OFFSET.test(createdAt)) return `${createdAt.slice(0, 23)}Z`;

  return new Date(createdAt).toISOString();
}

/**
 * The hash of a stored record, computed without building a Date or re-serializing the metadata
 * when it need not: the writer stores metadata with sorted keys, so on SQLite the stored text
 * usually is the canonical form. If hashing that text matches the stored hash, the text is
 * exactly what the writer hashed; otherwise (PostgreSQL's JSONB text, or a tampered row) the
 * metadata is parsed and canonicalized, the same as computeRecordHash does.
 */
export function computeStoredRecordHash(row: TStoredText, prevHash: string): string {
  const createdAtIso = isoFromText(row.createdAtText);
  if (row.metadataText === null) return link(prevHash, serializeFields(row, "null", createdAtIso));
  // JSONB's text form always has '": ' (never compact): skip the attempt that cannot match.
  if (!row.metadataText.includes('": ')) {
    const direct = link(prevHash, serializeFields(row, row.metadataText, createdAtIso));
    if (direct === row.hash) return direct;
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(row.metadataText);
  } catch {
    return "metadata is not JSON";
  }

  return link(prevHash, serializeFields(row, canonicalJson(metadata), createdAtIso));
}
