import { describe, expect, it } from "vitest";

import { conditionBelongsToPeriod } from "./condition-in-period";

const period = { start: "2026-01-01", end: "2026-03-31" };
const condition = (clinicalStatus: string | null, onsetDate: string | null, raw: object = {}, updatedAt: Date | null = null) => ({ clinicalStatus, onsetDate, raw, updatedAt });

describe("a condition belongs to a period", () => {
  it("when active with onset on or before the period's end, or with no onset recorded", () => {
    expect(conditionBelongsToPeriod(condition("active", "2025-05-01"), period)).toBe(true);
    expect(conditionBelongsToPeriod(condition("active", "2026-03-31"), period)).toBe(true);
    expect(conditionBelongsToPeriod(condition("relapse", null), period)).toBe(true);
    expect(conditionBelongsToPeriod(condition(null, "2025-05-01"), period)).toBe(true);
  });

  it("not when its onset is after the period", () => {
    expect(conditionBelongsToPeriod(condition("active", "2026-04-01"), period)).toBe(false);
  });

  it("when resolved after the period's start: abatement date, else the date its status changed", () => {
    expect(conditionBelongsToPeriod(condition("resolved", "2025-01-01", { abatementDateTime: "2026-01-01" }), period)).toBe(true);
    expect(conditionBelongsToPeriod(condition("resolved", "2025-01-01", { abatementPeriod: { end: "2026-06-30T00:00:00Z" } }), period)).toBe(true);
    // Treated all period and resolved later, with no abatement date: the status changed after the period.
    expect(conditionBelongsToPeriod(condition("resolved", "2025-01-01", { meta: { lastUpdated: "2026-05-02T10:00:00Z" } }), period)).toBe(true);
    expect(conditionBelongsToPeriod(condition("resolved", "2025-01-01", {}, new Date("2026-11-30T00:00:00Z")), period)).toBe(true);
  });

  it("not when abated before the period's start", () => {
    expect(conditionBelongsToPeriod(condition("remission", "2025-01-01", { abatementDateTime: "2025-12-31" }), period)).toBe(false);
    expect(conditionBelongsToPeriod(condition("resolved", "2024-01-01", { meta: { lastUpdated: "2025-06-01" } }, new Date("2026-11-30T00:00:00Z")), period)).toBe(false);
    // An abatement date outranks a later record change.
    expect(conditionBelongsToPeriod(condition("resolved", "2024-01-01", { abatementDateTime: "2025-10-01", meta: { lastUpdated: "2026-02-01" } }), period)).toBe(false);
  });

  it("not when stopped at an unknown time", () => {
    expect(conditionBelongsToPeriod(condition("inactive", "2024-01-01"), period)).toBe(false);
  });

  it("without a period, only while it goes on", () => {
    expect(conditionBelongsToPeriod(condition("active", "2024-01-01"), null)).toBe(true);
    expect(conditionBelongsToPeriod(condition("resolved", "2024-01-01", { abatementDateTime: "2026-01-01" }), null)).toBe(false);
  });
});
