import { describe, expect, it } from "vitest";

import { retryAfterMs } from "@/lib/fhir/sources/pull-bulk-export";
import { NdjsonCollector } from "@/lib/fhir/sources/pulled-resources";
import { SyncRefusedError } from "@/lib/fhir/sources/sync-error";

describe("retryAfterMs", () => {
  it("honours Retry-After in seconds or as an HTTP date, within bounds", () => {
    expect(retryAfterMs("2")).toBe(2_000);
    expect(retryAfterMs("0")).toBe(500);
    expect(retryAfterMs("86400")).toBe(120_000);
    const now = Date.parse("2026-12-07T10:00:00Z");
    expect(retryAfterMs("Mon, 07 Dec 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs(null)).toBe(5_000);
    expect(retryAfterMs("soon")).toBe(5_000);
  });
});

describe("NdjsonCollector", () => {
  it("keeps one copy per type and id, the last one, and counts per type", () => {
    const collected = new NdjsonCollector(1_000_000);
    collected.addNdjson('{"resourceType":"Patient","id":"a","v":1}\n\n{"resourceType":"Patient","id":"b"}\n', "Patient");
    collected.addResource({ resourceType: "Patient", id: "a", v: 2 } as never, "p:0");
    collected.addResource({ resourceType: "Condition", id: "a" }, "c:0");
    const result = collected.result();
    expect(result.total).toBe(3);
    expect(result.countsByType).toEqual({ Patient: 2, Condition: 1 });
    expect(result.ndjson.split("\n")).toEqual(['{"resourceType":"Patient","id":"b"}', '{"resourceType":"Patient","id":"a","v":2}', '{"resourceType":"Condition","id":"a"}']);
  });

  it("keeps unreadable lines for the import to refuse by position, and stops past the byte limit", () => {
    const collected = new NdjsonCollector(60);
    collected.addNdjson("not json\n", "Patient");
    expect(collected.result().ndjson).toBe("not json");
    expect(() => collected.addNdjson(`{"resourceType":"Patient","id":"${"x".repeat(80)}"}`, "Patient")).toThrow(SyncRefusedError);
  });
});
