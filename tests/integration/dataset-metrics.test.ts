// Metrics computed straight from the database (computeMetrics), beside the metrics-tier export
// test in dataset-export.test.ts.
import { describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { computeMetrics } from "@/lib/metrics/compute-metrics";

import { createOrganization } from "./dataset-helpers";

describe("active providers", () => {
  it("counts only active practitioners, so the share of active providers stays within 100%", async () => {
    const clinic = await createOrganization("Provider clinic");
    const [current, departed] = await Promise.all(
      [true, false].map((active, index) => prisma.practitioner.create({ data: { fhirId: `prac-active-${index}`, givenName: "Sam", familyName: `Provider${index}`, active, organizationId: clinic.id, raw: {} } })),
    );
    const patient = await prisma.patient.create({ data: { fhirId: "pat-metrics", givenName: "Ione", familyName: "Marchbanks", organizationId: clinic.id, raw: {} } });
    const asOf = new Date("2026-11-20T12:00:00Z");
    for (const practitioner of [current!, departed!]) {
      await prisma.questionnaireResponse.create({
        data: { fhirId: `qr-${practitioner.id}`, patientId: patient.id, practitionerId: practitioner.id, questionnaire: "phq-9", status: "completed", authoredAt: new Date("2026-11-10T10:00:00Z"), items: [], raw: {} },
      });
    }

    const rows = (await computeMetrics(prisma, asOf, null)).filter((row) => row.organization_id === clinic.id);
    const value = (metric: string) => rows.find((row) => row.metric_id === metric)?.value;
    expect(value("provider_count")).toBe("1");
    expect(value("active_providers")).toBe("1");
    expect(value("percent_active_providers")).toBe("100");
  });
});
