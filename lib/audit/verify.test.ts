import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { checkChainSegment, type TChainRow } from "@/lib/audit/chain-segment";
import { computeRecordHash, computeStoredRecordHash, GENESIS_HASH, canonicalJson, serializeAuditRecord } from "@/lib/audit/hash";
import { createChainVerifier, type TStoredRecord } from "@/lib/audit/verify";

function chain(n: number): TStoredRecord[] {
  const rows: TStoredRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const base = {
      seq, action: "downloaded", outcome: "success", userId: `u${seq % 3}`, actorLabel: null, exportJobId: `j${seq}`, patientId: null, dataset: null,
      templateId: null, scheduleId: null, ipAddress: "127.0.0.1", userAgent: "test", requestId: `r${seq}`, metadata: { b: 1, a: [seq, "x"] }, createdAt: new Date(1_700_000_000_000 + seq),
    };
    const hash = computeRecordHash(base, prev);
    rows.push({ ...base, prevHash: prev, hash });
    prev = hash;
  }

  return rows;
}

function verify(rows: TStoredRecord[]) {
  const verifier = createChainVerifier();
  rows.every((row) => verifier.push(row));

  return verifier.result();
}

describe("audit chain verification", () => {
  it("accepts an intact chain", () => {
    expect(verify(chain(50))).toMatchObject({ ok: true, count: 50, lastSeq: 50 });
  });

  it("names an edited record", () => {
    const rows = chain(20);
    rows[9] = { ...rows[9]!, userId: "intruder" };
    expect(verify(rows)).toMatchObject({ ok: false, brokenAtSeq: 10 });
  });

  it("names the gap a deleted record leaves", () => {
    const rows = chain(20);
    rows.splice(6, 1);
    expect(verify(rows)).toMatchObject({ ok: false, brokenAtSeq: 7 });
  });

  it("detects a record inserted with a recomputed hash but a wrong link", () => {
    const rows = chain(10);
    const forged = { ...rows[4]!, action: "deleted" };
    forged.hash = computeRecordHash(forged, "f".repeat(64));
    forged.prevHash = "f".repeat(64);
    rows[4] = forged;
    expect(verify(rows)).toMatchObject({ ok: false, brokenAtSeq: 5 });
  });

  it("is independent of JSON key order (PostgreSQL JSONB reorders keys)", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe(canonicalJson({ a: { c: [3, { e: 2, f: 1 }], d: 2 }, b: 1 }));
  });
});

describe("audit record serialization", () => {
  const record = {
    seq: 7, action: "downloaded", outcome: "success", userId: "u1", actorLabel: null, exportJobId: "j1", patientId: "p\"1", dataset: null,
    templateId: null, scheduleId: null, ipAddress: "127.0.0.1", userAgent: "ua", requestId: "r1", metadata: { b: 1, a: { d: null, c: "x" } },
    createdAt: new Date("2026-01-02T03:04:05.678Z"),
  };

  it("lists the fixed fields in a fixed order with the metadata canonical (the hash format)", () => {
    expect(serializeAuditRecord(record)).toBe(
      '[7,"downloaded","success","u1",null,"j1","p\\"1",null,null,null,"127.0.0.1","ua","r1",{"a":{"c":"x","d":null},"b":1},"2026-01-02T03:04:05.678Z"]',
    );
  });

  it("hashes the same whatever order the metadata keys come back in", () => {
    const reordered = { ...record, metadata: { a: { c: "x", d: null }, b: 1 } };
    expect(computeRecordHash(reordered, GENESIS_HASH)).toBe(computeRecordHash(record, GENESIS_HASH));
    expect(computeRecordHash({ ...record, metadata: { a: { c: "y", d: null }, b: 1 } }, GENESIS_HASH)).not.toBe(computeRecordHash(record, GENESIS_HASH));
  });

  it("tells a null field from the text \"null\"", () => {
    expect(computeRecordHash({ ...record, actorLabel: "null" }, GENESIS_HASH)).not.toBe(computeRecordHash(record, GENESIS_HASH));
  });
});

describe("hashing a record read back as text", () => {
  const record = {
    seq: 3, action: "export_created", outcome: "success", userId: "u1", actorLabel: null, exportJobId: "j1", patientId: null, dataset: null,
    templateId: null, scheduleId: null, ipAddress: null, userAgent: null, requestId: "r1", metadata: { format: "pdf", bytes: 12 },
    createdAt: new Date("2026-05-06T07:08:09.010Z"),
  };
  const expected = computeRecordHash(record, GENESIS_HASH);
  const { metadata: _metadata, createdAt: _createdAt, ...fixed } = record;
  const stored = (metadataText: string | null, createdAtText: string) => ({ ...fixed, metadataText, createdAtText, prevHash: GENESIS_HASH, hash: expected });

  it("matches the writer's hash for SQLite text (sorted keys, +00:00) and PostgreSQL text (JSONB order, Z)", () => {
    expect(computeStoredRecordHash(stored('{"bytes":12,"format":"pdf"}', "2026-05-06T07:08:09.010+00:00"), GENESIS_HASH)).toBe(expected);
    expect(computeStoredRecordHash(stored('{"format": "pdf", "bytes": 12}', "2026-05-06T07:08:09.010Z"), GENESIS_HASH)).toBe(expected);
    expect(computeStoredRecordHash(stored('{"format":"pdf","bytes":12}', "2026-05-06T07:08:09.010Z"), GENESIS_HASH)).toBe(expected);
  });

  it("does not match an edited metadata text, time or field, nor broken JSON", () => {
    expect(computeStoredRecordHash(stored('{"bytes":13,"format":"pdf"}', "2026-05-06T07:08:09.010Z"), GENESIS_HASH)).not.toBe(expected);
    expect(computeStoredRecordHash(stored('{"bytes":12,"format":"pdf"}', "2026-05-06T07:08:09.011Z"), GENESIS_HASH)).not.toBe(expected);
    expect(computeStoredRecordHash({ ...stored('{"bytes":12,"format":"pdf"}', "2026-05-06T07:08:09.010Z"), userId: "u2" }, GENESIS_HASH)).not.toBe(expected);
    expect(computeStoredRecordHash(stored("{not json", "2026-05-06T07:08:09.010Z"), GENESIS_HASH)).not.toBe(expected);
  });
});

describe("checking a segment of SQL-serialized rows", () => {
  const sha = (text: string) => createHash("sha256").update(text).digest("hex");
  const records = chain(6);
  const toRow = (row: TStoredRecord): TChainRow => [row.seq, row.prevHash, row.hash, serializeAuditRecord(row)];

  it("accepts a linked run from any starting row and reports where it ends", () => {
    const rows = records.slice(2).map(toRow);
    expect(checkChainSegment(rows, 3, records[1]!.hash, sha)).toEqual({ count: 4, lastSeq: 6, lastHash: records[5]!.hash, failure: null, unsure: [] });
  });

  it("names a gap and a broken link as certain failures, counting only the rows before", () => {
    const gap = records.map(toRow).filter((row) => row[0] !== 4);
    expect(checkChainSegment(gap, 1, GENESIS_HASH, sha)).toMatchObject({ count: 3, failure: { brokenAtSeq: 4 } });
    const relinked = records.map(toRow);
    relinked[4] = [5, "f".repeat(64), relinked[4]![2], relinked[4]![3]];
    expect(checkChainSegment(relinked, 1, GENESIS_HASH, sha)).toMatchObject({ count: 4, failure: { brokenAtSeq: 5, reason: expect.stringMatching(/link/) } });
  });

  it("leaves rows whose SQL body does not hash to the stored hash (or has none) unsure, not failed", () => {
    const rows = records.map(toRow);
    rows[1] = [2, rows[1]![1], rows[1]![2], rows[1]![3]!.replace("downloaded", "deleted")];
    rows[3] = [4, rows[3]![1], rows[3]![2], null];
    expect(checkChainSegment(rows, 1, GENESIS_HASH, sha)).toMatchObject({ count: 6, failure: null, unsure: [2, 4] });
  });
});
