import { z } from "zod";
import { describe, expect, it } from "vitest";

import { defineJob, exponentialBackoff } from "@/lib/jobs/define-job";
import { PermanentJobError } from "@/lib/jobs/job-types";
import { payloadAtClaim } from "@/lib/jobs/payload-at-claim";
import { EXPORT_JOB_KINDS, JOB_DEFINITIONS, jobDefinitionOf } from "@/lib/jobs/registry";

describe("job kinds registry", () => {
  it("files each definition under its own kind, with a version and a retry policy", () => {
    for (const [key, definition] of Object.entries(JOB_DEFINITIONS)) {
      expect(definition.kind).toBe(key);
      expect(Number.isInteger(definition.version) && definition.version >= 1).toBe(true);
      expect(definition.retry.maxAttempts).toBeGreaterThanOrEqual(1);
      expect(definition.retry.backoffMs(2)).toBeGreaterThan(definition.retry.backoffMs(1));
    }
    expect(jobDefinitionOf("delivery")).toBe(JOB_DEFINITIONS.delivery);
    expect(jobDefinitionOf("toString")).toBeNull();
    expect(jobDefinitionOf("no-such-kind")).toBeNull();
  });

  it("lists exports (kinds with a file) apart from tasks such as deliveries", () => {
    expect([...EXPORT_JOB_KINDS].sort()).toEqual(["bulk", "dataset", "report"]);
  });

  it("checks a report payload with its export type's own schema", () => {
    const payload = JOB_DEFINITIONS.report.payload;
    const valid = payload.safeParse({ export_type: "insurance_report", patient_id: "p1", start_date: "2026-01-01", end_date: "2026-03-31", format: "pdf" });
    expect(valid.success && valid.data).toMatchObject({ export_type: "insurance_report", patient_id: "p1" });
    const reversed = payload.safeParse({ export_type: "insurance_report", patient_id: "p1", start_date: "2026-03-31", end_date: "2026-01-01", format: "pdf" });
    expect(reversed.success).toBe(false);
    expect(payload.safeParse({ export_type: "everything", patient_id: "p1" }).success).toBe(false);
  });
});

describe("payloadAtClaim", () => {
  const widgets = defineJob({
    kind: "widget",
    version: 2,
    payload: z.strictObject({ widgetIds: z.array(z.string()).min(1) }),
    // Version 1 named one widget.
    upgrade: (stored) => ({ widgetIds: [(stored as { widgetId: string }).widgetId] }),
    produces: "file",
    retry: { maxAttempts: 2, backoffMs: exponentialBackoff(1_000) },
    loadHandler: async () => async () => ({ body: Buffer.from(""), fileName: "w", mimeType: "text/plain" }),
  });

  it("returns the validated payload of the current version", () => {
    expect(payloadAtClaim(widgets, { kind: "widget", payloadVersion: 2, parameters: { widgetIds: ["a"] } })).toEqual({ widgetIds: ["a"] });
  });

  it("upgrades a payload written at an older version, then validates it", () => {
    expect(payloadAtClaim(widgets, { kind: "widget", payloadVersion: 1, parameters: { widgetId: "a" } })).toEqual({ widgetIds: ["a"] });
  });

  it("fails for good, naming fields and never values, a payload that does not match", () => {
    const claim = () => payloadAtClaim(widgets, { kind: "widget", payloadVersion: 2, parameters: { widgetIds: [], secret: "Jane Doe" } });
    expect(claim).toThrow(PermanentJobError);
    expect(claim).toThrow('The job\'s stored payload does not match the "widget" schema (widgetIds, (payload)), so it cannot run.');
  });

  it("fails for good a payload from a newer version, or an older one it cannot upgrade", () => {
    expect(() => payloadAtClaim(widgets, { kind: "widget", payloadVersion: 3, parameters: {} })).toThrow(/version 3, which this server cannot read \("widget" payloads are version 2\)/);
    const noUpgrade = { ...widgets, upgrade: undefined };
    expect(() => payloadAtClaim(noUpgrade, { kind: "widget", payloadVersion: 1, parameters: { widgetId: "a" } })).toThrow(PermanentJobError);
  });
});
