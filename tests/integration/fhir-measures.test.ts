import { describe, expect, it } from "vitest";

import { computeMetrics } from "@/lib/metrics/compute-metrics";
import { loadMetricCatalog } from "@/lib/metrics/metric-catalog";
import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { tokenFor } from "../setup/http";
import { createRecord, expectValidR4, read, resourcesOf, search } from "./fhir-api-helpers";

type TReport = { id: string; measure: string; subject?: { reference: string }; period: { start: string; end: string }; group: { code: { text: string }; measureScore?: { value: number }; extension?: { url: string; valueCode: string }[]; stratifier?: { stratum: { value: { text: string }; measureScore?: { value: number }; extension?: unknown[] }[] }[] }[] };

describe("Metrics as FHIR: Measure and MeasureReport", () => {
  it("serves a Measure per catalog metric, and summary MeasureReports computed like fct_metrics_long with small cells suppressed", { timeout: 120_000 }, async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(analyst.id);
    const organization = await prisma.organization.create({ data: { fhirId: `org-${crypto.randomUUID()}`, name: "Eastside Clinic", raw: {} } });
    const small = await prisma.organization.create({ data: { fhirId: `org-${crypto.randomUUID()}`, name: "Tiny Clinic", raw: {} } });
    for (let index = 0; index < 12; index++) {
      const record = await createRecord();
      await prisma.patient.update({ where: { id: record.patient.id }, data: { organizationId: index < 11 ? organization.id : small.id } });
    }

    const measures = await search("Measure", { token });
    expect(measures.status).toBe(200);
    expectValidR4(measures.json);
    expect(resourcesOf(measures.json).map((measure) => measure.name)).toEqual((await loadMetricCatalog(prisma)).map((metric) => metric.id));
    const one = await read("Measure", "patient-count", { token });
    expect(one.json).toMatchObject({ resourceType: "Measure", url: "https://careexport.dev/fhir/Measure/patient-count", status: "active" });
    expectValidR4(one.json);

    const counts = await search(`MeasureReport?measure=patient-count&subject=Organization/${organization.id},Organization/${small.id}`, { token });
    expect(counts.status).toBe(200);
    expectValidR4(counts.json);
    const reports = resourcesOf(counts.json) as unknown as TReport[];
    const bySubject = new Map(reports.map((report) => [report.subject?.reference, report]));
    // Eleven patients are shown; one is a small cell, suppressed as in the dataset.
    expect(bySubject.get(`Organization/${organization.id}`)!.group[0]!.measureScore).toEqual({ value: 11, unit: "count" });
    const suppressed = bySubject.get(`Organization/${small.id}`)!.group[0]!;
    expect(suppressed.measureScore).toBeUndefined();
    expect(suppressed.extension).toEqual([{ url: "http://hl7.org/fhir/StructureDefinition/data-absent-reason", valueCode: "masked" }]);

    // The same figures as the metrics dataset's rows.
    const rows = (await computeMetrics(prisma, new Date(), null)).filter((row) => row.metric_id === "phq9_severity_distribution" && row.organization_id === organization.id);
    const distribution = resourcesOf((await search(`MeasureReport?measure=https://careexport.dev/fhir/Measure/phq9-severity-distribution&subject=Organization/${organization.id}&period=ge2024-01-01`, { token })).json) as unknown as TReport[];
    expect(distribution).toHaveLength(rows.length);
    const stratum = distribution[0]!.group[0]!.stratifier![0]!.stratum[0]!;
    expect(stratum.value.text).toBe("moderate");
    expect(stratum.measureScore).toEqual({ value: 11, unit: "count" });
    expect(distribution[0]!.period).toEqual({ start: "2024-03-01", end: "2024-03-31" });

    const bad = await search("MeasureReport?measure=no-such-measure", { token });
    expect(bad.status).toBe(400);
    expect(bad.json.resourceType).toBe("OperationOutcome");
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const refused = await search("MeasureReport?measure=patient-count", { token: await tokenFor(therapist.id) });
    expect(refused.status).toBe(403);
    expect(refused.json.resourceType).toBe("OperationOutcome");
  });
});
