import { describe, expect, it } from "vitest";

import { computeRecordHash, GENESIS_HASH, canonicalJson } from "@/lib/audit/hash";
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
