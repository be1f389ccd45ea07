// The metrics catalog as data: admins define, change and retire metrics through the real routes
// (versioned, checked, audited), the computation reads the catalog, and the daily snapshot task
// gives snapshot metrics a series in fct_metrics_long and on the Metrics tab.
import { describe, expect, it } from "vitest";

import { DELETE as retireRoute, GET as readRoute, PATCH as updateRoute } from "@/app/api/v1/admin/metrics/[id]/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/v1/admin/metrics/route";
import { prisma } from "@/lib/db/client";
import { getMetricsView } from "@/lib/datasets/get-metrics-view";
import { computeMetrics } from "@/lib/metrics/compute-metrics";
import { loadMetricCatalog } from "@/lib/metrics/metric-catalog";
import { checkMetricBody } from "@/lib/metrics/metric-definition";
import { readMetricSeries } from "@/lib/metrics/metric-series";
import { snapshotMetrics } from "@/lib/metrics/snapshot-metrics";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { createOrganization } from "./dataset-helpers";

type TIssueBody = { issues?: { path: string; message: string }[] };

const unitsPerWeek = {
  id: "telehealth_units_per_week",
  description: "Units billed for telehealth sessions, per ISO week and location.",
  unit: "count",
  grain: "week",
  entity_keys: ["organization", "location"],
  source: "encounters",
  time_column: "start_at",
  expression: { type: "sum", column: "units" },
  filters: [
    { column: "delivery_format", op: "equals", value: "telehealth" },
    { column: "start_at", op: "range", min: "2026-11-01", max: "2026-11-30" },
  ],
};

async function adminToken() {
  const { user } = await createUser({ role: "ADMIN" });
  return { admin: user, token: await tokenFor(user.id) };
}

describe("the metrics catalog as data", () => {
  it("seeds the former catalog and the programme's rate metrics as version 1, each a valid definition", async () => {
    const catalog = await loadMetricCatalog(prisma);
    const ids = catalog.map((metric) => metric.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "provider_count", "patient_count", "active_providers", "percent_active_providers", "client_encounters", "encounters_by_delivery_format", "phq9_severity_distribution", "gad7_severity_distribution",
        "referral_eligible_clients", "referral_accepted_clients", "referral_acceptance_rate", "follow_up_completion_rate", "oral_screening_coverage",
      ]),
    );
    const lookup = (id: string) => catalog.find((metric) => metric.id === id) ?? null;
    for (const metric of catalog) {
      expect(metric.version).toBe(1);
      expect(checkMetricBody(metric.id, metric, lookup), metric.id).toEqual([]);
    }
  });

  it("lets admins define, change and retire a metric: each change a version, checked, audited, and computed from the catalog", { timeout: 120_000 }, async () => {
    const { admin, token } = await adminToken();
    const organization = await createOrganization("Units Clinic");
    const location = await prisma.location.create({ data: { fhirId: `loc-${crypto.randomUUID()}`, name: "Room A", organizationId: organization.id, raw: {} } });
    const patient = await prisma.patient.create({ data: { fhirId: `pat-${crypto.randomUUID()}`, givenName: "Ada", familyName: "Units", organizationId: organization.id, raw: {} } });
    const encounters: [string, string, number][] = [
      ["2026-11-02T10:00:00Z", "telehealth", 2],
      ["2026-11-04T10:00:00Z", "telehealth", 3],
      ["2026-11-09T10:00:00Z", "telehealth", 4],
      ["2026-11-09T12:00:00Z", "in-person", 10],
      ["2026-10-20T10:00:00Z", "telehealth", 7],
    ];
    for (const [startAt, deliveryFormat, units] of encounters) {
      await prisma.encounter.create({ data: { fhirId: `enc-${crypto.randomUUID()}`, patientId: patient.id, organizationId: organization.id, locationId: location.id, status: "finished", deliveryFormat, units, startAt: new Date(startAt), raw: {} } });
    }

    const created = await call(createRoute, { path: "/api/v1/admin/metrics", token, body: unitsPerWeek });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: "telehealth_units_per_week", version: 1, status: "active", computed_as: expect.stringContaining("sum(units) of encounters") });

    const asOf = new Date("2026-12-01T00:00:00Z");
    const valuesOf = async (metricId: string) =>
      (await computeMetrics(prisma, asOf, null)).filter((row) => row.metric_id === metricId).map((row) => [row.period_date, row.location_id, row.value, row.metric_version]);
    // Weeks start on Monday; the in-person session and the October one are filtered out.
    expect(await valuesOf("telehealth_units_per_week")).toEqual([
      ["2026-11-02", location.id, "5", "1"],
      ["2026-11-09", location.id, "4", "1"],
    ]);

    // Invalid definitions: 400, naming each field and the reason; nothing stored.
    const invalid: [Record<string, unknown>, string, RegExp][] = [
      [{ ...unitsPerWeek, id: "bad_source", source: "users" }, "source", /not a known source/],
      [{ ...unitsPerWeek, id: "bad_column", filters: [{ column: 'units" OR 1=1 --', op: "equals", value: 1 }] }, "filters.0.column", /not a column of encounters/],
      [{ ...unitsPerWeek, id: "bad_sum", expression: { type: "sum", column: "status" } }, "expression.column", /string column/],
      [{ ...unitsPerWeek, id: "bad_value", filters: [{ column: "units", op: "equals", value: "two" }] }, "filters.0.value", /must be a number/],
      [{ ...unitsPerWeek, id: "bad_ratio", unit: "percent", source: null, time_column: null, filters: [], entity_keys: ["organization"], expression: { type: "ratio", numerator: "no_such_metric", denominator: "patient_count" } }, "expression.numerator", /names no active metric/],
      [{ ...unitsPerWeek, id: "bad_location", source: "patients", time_column: "created_at", expression: { type: "count" }, filters: [] }, "entity_keys", /records no location/],
      [{ ...unitsPerWeek, id: "raw_sql", sql: "SELECT * FROM \"User\"" }, "(body)", /Unrecognized key|unrecognized/i],
      [{ ...unitsPerWeek, id: "Bad Id" }, "id", /lowercase/],
      [{ ...unitsPerWeek, id: "bad_grain", grain: "year" }, "grain", /day, week, month/],
    ];
    for (const [body, field, reason] of invalid) {
      const refused = await call(createRoute, { path: "/api/v1/admin/metrics", token, body });
      expect(refused.status, field).toBe(400);
      const issue = (refused.json as TIssueBody).issues?.find((candidate) => candidate.path === field);
      expect(issue, `${field}: ${refused.text}`).toBeDefined();
      expect(issue!.message).toMatch(reason);
      expect(refused.text).not.toMatch(/\bat \w+ \(/);
    }
    expect(await prisma.metricDefinition.count({ where: { metricId: { startsWith: "bad_" } } })).toBe(0);
    expect((await call(createRoute, { path: "/api/v1/admin/metrics", token, body: unitsPerWeek })).status).toBe(409);

    // A change is version 2; the values follow it; the history keeps version 1.
    const path = "/api/v1/admin/metrics/telehealth_units_per_week";
    const params = { id: "telehealth_units_per_week" };
    const changed = await call(updateRoute, { method: "PATCH", path, token, params, body: { filters: [{ column: "delivery_format", op: "in", values: ["telehealth", "in-person"] }] } });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ version: 2, status: "active" });
    expect(await valuesOf("telehealth_units_per_week")).toEqual([
      ["2026-10-19", location.id, "7", "2"],
      ["2026-11-02", location.id, "5", "2"],
      ["2026-11-09", location.id, "14", "2"],
    ]);
    const badChange = await call(updateRoute, { method: "PATCH", path, token, params, body: { time_column: "delivery_format" } });
    expect(badChange.status).toBe(400);
    expect((badChange.json as TIssueBody).issues).toEqual([{ path: "time_column", message: expect.stringContaining("needs date") }]);
    expect((await call(updateRoute, { method: "PATCH", path, token, params, body: { grain: "week" } })).status).toBe(400);

    // Retired: a version too; gone from the computation, kept in the history.
    const retired = await call(retireRoute, { method: "DELETE", path, token, params });
    expect(retired.status).toBe(200);
    expect(retired.json).toMatchObject({ version: 3, status: "retired" });
    expect(await valuesOf("telehealth_units_per_week")).toEqual([]);
    const history = await call(readRoute, { path, token, params });
    expect((history.json as { versions: { version: number; status: string }[] }).versions.map((version) => [version.version, version.status])).toEqual([
      [3, "retired"],
      [2, "active"],
      [1, "active"],
    ]);
    const listed = await call(listRoute, { path: "/api/v1/admin/metrics", token });
    expect((listed.json as { metrics: { id: string; status: string }[] }).metrics.find((metric) => metric.id === "telehealth_units_per_week")).toMatchObject({ status: "retired" });
    expect((listed.json as { sources: { name: string }[] }).sources.map((source) => source.name)).toContain("encounters");

    // A part of an active ratio cannot be retired from under it.
    const partOfRatio = await call(retireRoute, { method: "DELETE", path: "/api/v1/admin/metrics/provider_count", token, params: { id: "provider_count" } });
    expect(partOfRatio.status).toBe(409);
    expect(partOfRatio.text).toContain("percent_active_providers");

    // Each change audited with the metric, its version and what changed.
    const audit = await prisma.exportAuditLog.findMany({ where: { userId: admin.id, action: { in: ["metric_created", "metric_updated", "metric_retired"] } }, orderBy: { seq: "asc" } });
    expect(audit.map((record) => [record.action, (record.metadata as { version: number }).version])).toEqual([
      ["metric_created", 1],
      ["metric_updated", 2],
      ["metric_retired", 3],
    ]);
    expect(audit[1]!.metadata).toMatchObject({ metricId: "telehealth_units_per_week", changed: ["filters"] });

    // Analysts read metrics but do not define them; the refusal is audited.
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const refused = await call(createRoute, { path: "/api/v1/admin/metrics", token: await tokenFor(analyst.id), body: { ...unitsPerWeek, id: "analyst_metric" } });
    expect(refused.status).toBe(403);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: analyst.id } })).toBe(1);
  });

  it("computes screening coverage by region as a rate, suppressed where a part is a small count", { timeout: 120_000 }, async () => {
    const organization = await createOrganization("Coverage Clinic");
    const patients = [];
    for (let index = 0; index < 15; index++) {
      patients.push(await prisma.patient.create({ data: { fhirId: `cov-${crypto.randomUUID()}`, givenName: "Cy", familyName: `Cover${index}`, organizationId: organization.id, state: index < 12 ? "MA" : "VT", raw: {} } }));
    }
    // 11 of the 12 in MA screened (one of them twice); 1 of the 3 in VT.
    const screened = [...patients.slice(0, 11), patients[0]!, patients[12]!];
    for (const patient of screened) {
      await prisma.questionnaireResponse.create({ data: { fhirId: `qr-${crypto.randomUUID()}`, patientId: patient.id, questionnaire: "oral-cancer-screening", status: "completed", authoredAt: new Date("2026-11-05T10:00:00Z"), items: [], raw: {} } });
    }
    const rows = (await computeMetrics(prisma, new Date("2026-11-30T12:00:00Z"), null)).filter((row) => row.organization_id === organization.id && row.metric_id === "oral_screening_coverage");
    expect(rows.map((row) => [row.dimension, row.value, row.suppressed])).toEqual([
      ["MA", "91.7", "false"],
      ["VT", "", "true"],
    ]);
  });

  it("stores a daily snapshot once per day, so snapshot metrics have a series in fct_metrics_long and on the Metrics tab", { timeout: 120_000 }, async () => {
    const organization = await createOrganization("Series Clinic");
    const addPatients = async (count: number) => {
      for (let index = 0; index < count; index++) await prisma.patient.create({ data: { fhirId: `ser-${crypto.randomUUID()}`, givenName: "Sy", familyName: "Series", organizationId: organization.id, raw: {} } });
    };
    await addPatients(12);
    const first = await snapshotMetrics({ day: "2026-11-01" });
    expect(first).toMatchObject({ snapshotDate: "2026-11-01", stored: true });
    expect(first.metrics).toBeGreaterThan(5);
    // The same day again (another instance, the next tick): nothing more is stored.
    expect(await snapshotMetrics({ day: "2026-11-01" })).toMatchObject({ stored: false });
    await addPatients(3);
    // Default: yesterday's snapshot.
    expect(await snapshotMetrics({ now: new Date("2026-11-03T00:30:00Z") })).toMatchObject({ snapshotDate: "2026-11-02", stored: true });
    const stored = await prisma.metricSnapshot.findMany({ where: { metricId: "patient_count", organizationId: organization.id }, orderBy: { snapshotDate: "asc" } });
    expect(stored.map((row) => [row.snapshotDate, row.value, row.suppressed])).toEqual([
      ["2026-11-01", 12, false],
      ["2026-11-02", 15, false],
    ]);
    // Dated metrics are not snapshotted: they are a series by their own dates.
    expect(await prisma.metricSnapshot.count({ where: { metricId: "client_encounters" } })).toBe(0);

    const asOf = new Date("2026-11-03T12:00:00Z");
    const series = (await readMetricSeries(prisma, asOf, new Date("2026-11-01T00:00:00Z"))).filter((row) => row.metric_id === "patient_count" && row.organization_id === organization.id);
    expect(series.map((row) => [row.period_date, row.value])).toEqual([
      ["2026-11-01", "12"],
      ["2026-11-02", "15"],
      ["2026-11-03", "15"],
    ]);
    // A window that starts later leaves the older snapshots out.
    const later = (await readMetricSeries(prisma, asOf, new Date("2026-11-02T00:00:00Z"))).filter((row) => row.metric_id === "patient_count" && row.organization_id === organization.id);
    expect(later.map((row) => row.period_date)).toEqual(["2026-11-02", "2026-11-03"]);

    const view = await getMetricsView(prisma, { periodStart: "2026-11-01", periodEnd: "2026-11-03", organizationId: organization.id }, new Date("2026-11-03T12:00:00Z"));
    const patientCount = view.metrics.find((metric) => metric.id === "patient_count")!;
    expect(patientCount.is_snapshot).toBe(true);
    expect(patientCount.series).toEqual([
      { period: "2026-11-01", value: 12, cells: 1, suppressed_cells: 0 },
      { period: "2026-11-02", value: 15, cells: 1, suppressed_cells: 0 },
      { period: "2026-11-03", value: 15, cells: 1, suppressed_cells: 0 },
    ]);
  });
});
