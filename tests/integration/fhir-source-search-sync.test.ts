// The paged-search fallback of a FHIR source sync: the source is a second CareExport (its own
// process and database) serving its FHIR API without Bulk Data (every $export answers 404, as a
// plain FHIR REST server does). A source in "auto" mode falls back to searches by _lastUpdated,
// following next links; the second run picks up only what changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { tokenFor } from "../setup/http";
import { importAtSource, practice, registerSource, startSourceInstance, syncNow, type TSourceInstance } from "./fhir-source-helpers";

let source: TSourceInstance;
let adminToken: string;

beforeAll(async () => {
  source = await startSourceInstance({ withoutBulk: true });
  const { user } = await createUser({ role: "ADMIN" });
  adminToken = await tokenFor(user.id);
  await importAtSource(source, practice("sr"));
  // The run's clock is the source's Date header (whole seconds): start in a later second than the data.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
}, 90_000);

afterAll(async () => {
  await source?.stop();
});

describe("FHIR source sync by paged search", () => {
  it("falls back to _lastUpdated searches when the source has no $export, and then takes only what changed", async () => {
    const registered = await registerSource(adminToken, { name: "plain-rest", base_url: source.baseUrl, auth: { type: "bearer", token: source.adminToken } });
    expect(registered.status, registered.text).toBe(201);
    const sourceId = registered.json.id as string;

    const first = await syncNow(adminToken, sourceId);
    expect(first.job.status, `${first.job.errorMessage} / ${first.run.error}`).toBe("COMPLETED");
    expect(first.run).toMatchObject({ status: "succeeded", method: "search", since: null, resourceCount: 12 });
    expect(await prisma.patient.count({ where: { fhirId: { startsWith: "sr-pat-" } } })).toBe(2);
    expect(await prisma.questionnaireResponse.count()).toBe(2);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const [, , patient1] = practice("sr");
    await importAtSource(source, [{ ...patient1, telecom: [{ system: "phone", value: "413-555-1234" }] }]);

    const second = await syncNow(adminToken, sourceId);
    expect(second.job.status, `${second.job.errorMessage} / ${second.run.error}`).toBe("COMPLETED");
    expect(second.run.since?.toISOString()).toBe(first.run.transactionTime!.toISOString());
    expect(second.run).toMatchObject({ status: "succeeded", method: "search", resourceCount: 1 });
    expect((await prisma.patient.findFirstOrThrow({ where: { fhirId: "sr-pat-1" } })).phone).toBe("413-555-1234");
    const imports = await prisma.fhirImportRecord.findMany({ where: { fhirSourceId: sourceId }, orderBy: { completedAt: "asc" } });
    expect(imports.map((record) => record.resourceCount)).toEqual([12, 1]);
  }, 90_000);

  it("follows next links across pages", async () => {
    // More patients than one page of the source's searches (the client asks _count=1000; the
    // source caps pages by its own rule): 1,005 patients need two pages.
    const many = Array.from({ length: 1_005 }, (_, n) => ({ resourceType: "Patient", id: `sr-many-${n}`, name: [{ family: `Many${n}`, given: ["Pat"] }], birthDate: "1990-01-01" }));
    await importAtSource(source, many);
    const registered = await registerSource(adminToken, { name: "plain-rest-patients", base_url: source.baseUrl, auth: { type: "bearer", token: source.adminToken }, resource_types: ["Patient"], mode: "search" });
    const { run, job } = await syncNow(adminToken, registered.json.id as string);
    expect(job.status, `${job.errorMessage} / ${run.error}`).toBe("COMPLETED");
    expect(run).toMatchObject({ method: "search", resourceCount: 1_007 });
    expect(await prisma.patient.count({ where: { fhirId: { startsWith: "sr-many-" } } })).toBe(1_005);
  }, 120_000);

  it("a source set to Bulk only fails clearly when it has no $export", async () => {
    const registered = await registerSource(adminToken, { name: "bulk-only", base_url: source.baseUrl, auth: { type: "bearer", token: source.adminToken }, mode: "bulk" });
    const { run, job } = await syncNow(adminToken, registered.json.id as string);
    expect(job.status).toBe("FAILED");
    expect(run).toMatchObject({ status: "failed", error: "the source has no Bulk Data $export (set the source's mode to auto or search)" });
  }, 60_000);
});
