// GET /api/v1/metrics: the metrics on screen, through the real route wrapper, token auth and audit.
import { describe, expect, it } from "vitest";

import { GET } from "@/app/api/v1/metrics/route";
import { prisma } from "@/lib/db/client";
import { loadMetricCatalog } from "@/lib/metrics/metric-catalog";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { createOrganization } from "./dataset-helpers";

type TCell = { period: string; organization_id: string; organization_name: string | null; dimension: string; suppressed: boolean; value?: number };
type TBody = { metrics: { id: string; description: string; unit: string; values: TCell[] }[]; organizations: { id: string; name: string }[]; small_cell_threshold: number };

const get = (token: string, query = "") => call(GET, { path: `/api/v1/metrics${query}`, token });
const cellsOf = (body: unknown, metricId: string) => (body as TBody).metrics.find((metric) => metric.id === metricId)!.values;

describe("GET /api/v1/metrics", () => {
  it("serves analysts the catalog's metrics per organization, small cells marked and without their value; refuses therapists; checks the period", { timeout: 120_000 }, async () => {
    const big = await createOrganization("Lakeview Clinic");
    const small = await createOrganization("Harbor Clinic");
    const payer = await createOrganization("Payer Without Patients");
    for (let index = 0; index < 15; index++) {
      const organizationId = index < 12 ? big.id : small.id;
      const patient = await prisma.patient.create({ data: { fhirId: `metrics-pat-${index}`, givenName: "Rowan", familyName: `Metric${index}`, organizationId, raw: {} } });
      // Eleven of the clinic's patients were seen on 2026-03-05 (a day's distinct clients: 11, shown).
      if (index < 11) {
        await prisma.encounter.create({
          data: { fhirId: `metrics-enc-${index}`, patientId: patient.id, organizationId, status: "finished", deliveryFormat: "in-person", startAt: new Date("2026-03-05T15:00:00Z"), raw: {} },
        });
      }
    }
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(analyst.id);

    const all = await get(token);
    expect(all.status).toBe(200);
    const body = all.json as unknown as TBody;
    expect(body.metrics.map((metric) => metric.id)).toEqual((await loadMetricCatalog(prisma)).map((metric) => metric.id));
    const patientCount = body.metrics.find((metric) => metric.id === "patient_count")!;
    expect(patientCount.unit).toBe("count");
    expect(patientCount.description.length).toBeGreaterThan(0);
    expect(patientCount.values.find((cell) => cell.organization_id === big.id)).toMatchObject({ organization_name: "Lakeview Clinic", suppressed: false, value: 12 });
    // Three patients: a small cell. Marked, and the number is nowhere in it.
    const hidden = patientCount.values.find((cell) => cell.organization_id === small.id)!;
    expect(hidden).toEqual({ period: expect.any(String), organization_id: small.id, organization_name: "Harbor Clinic", location_id: "", dimension: "", suppressed: true });
    expect("value" in hidden).toBe(false);
    expect(body.small_cell_threshold).toBe(11);
    // The filter's choices: organizations with a value, not the payer with none.
    expect(body.organizations.map((organization) => organization.id)).toEqual(expect.arrayContaining([big.id, small.id]));
    expect(body.organizations.map((organization) => organization.id)).not.toContain(payer.id);

    // The organization filter keeps only that organization's cells.
    const filtered = await get(token, `?organization=${small.id}`);
    expect(filtered.status).toBe(200);
    const filteredCells = (filtered.json as unknown as TBody).metrics.flatMap((metric) => metric.values);
    expect(filteredCells.length).toBeGreaterThan(0);
    expect(filteredCells.every((cell) => cell.organization_id === small.id)).toBe(true);

    // The period: the March encounters are in a March window and not in an April one.
    const march = await get(token, "?period_start=2026-03-01&period_end=2026-03-31");
    expect(march.status).toBe(200);
    expect(cellsOf(march.json, "client_encounters")).toEqual([{ period: "2026-03-05", organization_id: big.id, organization_name: "Lakeview Clinic", location_id: "", dimension: "", suppressed: false, value: 11 }]);
    expect(cellsOf(march.json, "encounters_by_delivery_format")).toEqual([{ period: "2026-03-01", organization_id: big.id, organization_name: "Lakeview Clinic", location_id: "", dimension: "in-person", suppressed: false, value: 11 }]);
    const april = await get(token, "?period_start=2026-04-01&period_end=2026-04-30");
    expect(cellsOf(april.json, "client_encounters")).toEqual([]);

    // Each read is audited with its filters, never the values.
    const audit = await prisma.exportAuditLog.findMany({ where: { action: "metrics_viewed", userId: analyst.id }, orderBy: { seq: "asc" } });
    expect(audit).toHaveLength(4);
    expect(audit[2]!.metadata).toMatchObject({ period_start: "2026-03-01", period_end: "2026-03-31", organization: null });

    // Bad input: a 400 that names the field.
    for (const [query, field] of [
      ["?period_start=2026-13-01", "period_start"],
      ["?period_end=yesterday", "period_end"],
      ["?period_start=2026-05-01&period_end=2026-04-01", "period_start"],
      ["?organization=no-such-organization", "organization"],
    ] as const) {
      const bad = await get(token, query);
      expect(bad.status, query).toBe(400);
      expect(bad.text, query).toContain(field);
      expect(bad.text).not.toMatch(/\bat \w+ \(/);
    }

    // Therapists are refused (the metrics tier is analysts' and admins'), and the refusal is audited.
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const refused = await get(await tokenFor(therapist.id));
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain("Lakeview");
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: therapist.id } })).toBe(1);
    // Admins may read them too.
    const { user: admin } = await createUser({ role: "ADMIN" });
    expect((await get(await tokenFor(admin.id))).status).toBe(200);
  });
});
