import { describe, expect, it } from "vitest";

import { describeExpression, periodStart } from "@/lib/metrics/compile-metric";
import { checkMetricBody, ZMetricBody, type TMetricDefinition } from "@/lib/metrics/metric-definition";

const counting = (id: string, body: Record<string, unknown>): TMetricDefinition => ({ ...ZMetricBody.parse({ description: "A test metric.", unit: "count", grain: "day", expression: { type: "count" }, ...body }), id, version: 1, status: "active" });

describe("metric definitions", () => {
  it("buckets periods by grain in UTC, weeks from Monday", () => {
    expect(periodStart("day", new Date("2026-11-08T23:59:59Z"))).toBe("2026-11-08");
    // 2026-11-08 is a Sunday: its ISO week began on Monday the 2nd.
    expect(periodStart("week", new Date("2026-11-08T23:59:59Z"))).toBe("2026-11-02");
    expect(periodStart("week", new Date("2026-11-09T00:00:00Z"))).toBe("2026-11-09");
    expect(periodStart("week", new Date("2027-01-01T12:00:00Z"))).toBe("2026-12-28");
    expect(periodStart("month", new Date("2026-02-28T12:00:00Z"))).toBe("2026-02-01");
  });

  it("checks ratios against the catalog: existing active counts of the same grain, keys that line up", () => {
    const patients = counting("patients_by_state", { source: "patients", entity_keys: ["organization", "dimension"], dimension_column: "state" });
    const providers = counting("providers", { source: "practitioners" });
    const weekly = counting("weekly_encounters", { source: "encounters", grain: "week", time_column: "start_at" });
    const retired = { ...counting("old", { source: "patients" }), status: "retired" as const };
    const lookup = (id: string) => [patients, providers, weekly, retired].find((metric) => metric.id === id) ?? null;
    const ratio = (numerator: string, denominator: string, extra: Record<string, unknown> = {}) =>
      checkMetricBody("rate", ZMetricBody.parse({ description: "A rate.", unit: "percent", grain: "day", expression: { type: "ratio", numerator, denominator }, ...extra }), lookup).map((issue) => issue.path);

    expect(ratio("providers", "providers")).toEqual([]);
    expect(ratio("old", "providers")).toEqual(["expression.numerator"]);
    // A weekly numerator: the wrong grain, and dated where the denominator is a snapshot.
    expect(ratio("weekly_encounters", "providers")).toEqual(["expression.numerator", "expression.denominator"]);
    // The denominator is per state, the numerator is not.
    expect(ratio("providers", "patients_by_state")).toEqual(["expression.denominator"]);
    expect(ratio("providers", "providers", { source: "patients", filters: [{ column: "active", op: "equals", value: true }] })).toEqual(["source", "filters"]);
  });

  it("describes the computation in words", () => {
    const metric = counting("screened", {
      source: "questionnaire_responses",
      expression: { type: "count_distinct", column: "patient_id" },
      filters: [{ column: "questionnaire", op: "equals", value: "phq-9" }, { column: "authored_at", op: "range", min: { days_before_as_of: 30 } }],
    });
    expect(describeExpression(metric)).toBe('count(distinct patient_id) of questionnaire_responses, where questionnaire = "phq-9" and authored_at >= 30 days before the as-of date, as of the date, per organization');
  });
});
