// DELETE entries of an imported Bundle remove the resource and leave a tombstone: the REST API
// answers 410 Gone to a caller who could have read it, the same 404 as ever to everyone else.
import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { POST as importRoute } from "@/app/api/fhir/route";
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { importFhir } from "@/lib/fhir/import/import-fhir";

import { assignPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { expectValidR4, read, search, resourcesOf } from "./fhir-api-helpers";

function record(suffix: string) {
  const patient = { resourceType: "Patient", id: `del-pat-${suffix}`, name: [{ family: `Deleteson${suffix}`, given: ["Robin"] }], birthDate: "1980-02-03", gender: "male" };
  const encounter = {
    resourceType: "Encounter", id: `del-enc-${suffix}`, status: "finished", class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "AMB" },
    subject: { reference: `Patient/${patient.id}` }, period: { start: "2024-05-01T14:00:00Z", end: "2024-05-01T15:00:00Z" },
  };
  const observation = {
    resourceType: "Observation", id: `del-obs-${suffix}`, status: "final", code: { coding: [{ system: "http://loinc.org", code: "44261-6", display: "PHQ-9 total score" }] },
    subject: { reference: `Patient/${patient.id}` }, effectiveDateTime: "2024-05-01T14:30:00Z", valueQuantity: { value: 9, unit: "{score}" },
  };

  return { patient, encounter, observation };
}

const bundle = (entries: object[]) => ({ resourceType: "Bundle", type: "batch", entry: entries });
const put = (resource: { resourceType: string; id: string }) => ({ resource, request: { method: "PUT", url: `${resource.resourceType}/${resource.id}` } });
const del = (url: string) => ({ request: { method: "DELETE", url } });

async function imported(suffix: string) {
  const resources = record(suffix);
  await importFhir(JSON.stringify(bundle([put(resources.patient), put(resources.encounter), put(resources.observation)])), { actorLabel: "test", source: { kind: "file", label: "test" } });
  const patient = await prisma.patient.findUniqueOrThrow({ where: { fhirId: resources.patient.id } });
  const observation = await prisma.observation.findUniqueOrThrow({ where: { fhirId: resources.observation.id } });

  return { resources, patient, observation };
}

describe("FHIR deletes: import DELETE entries and 410 Gone", () => {
  it("a DELETE entry removes the resource (audited), reads answer 410 to those who could read it, a re-import revives it", async () => {
    const suffix = randomBytes(4).toString("hex");
    const { resources, patient, observation } = await imported(suffix);
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: caseloadTherapist } = await createUser({ role: "THERAPIST" });
    const { user: otherTherapist } = await createUser({ role: "THERAPIST" });
    const { user: analyst } = await createUser({ role: "ANALYST" });
    await assignPatient(caseloadTherapist.id, patient.id);
    const adminToken = await tokenFor(admin.id);

    const answer = await call(importRoute, { path: "/api/fhir", token: adminToken, body: bundle([del(`Observation/${resources.observation.id}`), del("Observation/never-was-here")]) });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ imported: 0, deleted: { Observation: 1 } });
    expect(await prisma.observation.count({ where: { id: observation.id } })).toBe(0);
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "fhir_imported", userId: admin.id }, orderBy: { createdAt: "desc" } });
    expect(audit.metadata).toMatchObject({ deleted: { Observation: 1 } });
    expect(JSON.stringify(audit.metadata)).not.toContain(resources.observation.id);

    const gone = await read("Observation", resources.observation.id, { token: adminToken });
    expect(gone.status).toBe(410);
    expect(gone.headers.get("content-type")).toContain("application/fhir+json");
    expectValidR4(gone.json);
    expect(gone.json).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "deleted" }] });
    expect((await read("Observation", "never-was-here", { token: adminToken })).status).toBe(404);
    expect((await read("Observation", resources.observation.id, { token: await tokenFor(caseloadTherapist.id) })).status).toBe(410);
    // Not on this therapist's caseload: the same 404 as an id that never existed.
    expect((await read("Observation", resources.observation.id, { token: await tokenFor(otherTherapist.id) })).status).toBe(404);
    const analystToken = await tokenFor(analyst.id);
    expect((await read("Observation", pseudonymize(env().ANON_KEY, "observation", observation.id), { token: analystToken })).status).toBe(410);
    expect((await read("Observation", pseudonymize(env().ANON_KEY, "observation", "some-other-row"), { token: analystToken })).status).toBe(404);
    expect(resourcesOf((await search(`Observation?patient=${resources.patient.id}`, { token: adminToken })).json)).toEqual([]);

    await importFhir(JSON.stringify(bundle([put(resources.observation)])), { actorLabel: "test", source: { kind: "file", label: "test" } });
    const revived = await read("Observation", resources.observation.id, { token: adminToken });
    expect(revived.status).toBe(200);
    expect(await prisma.fhirTombstone.count({ where: { resourceType: "Observation", fhirId: resources.observation.id } })).toBe(0);
  });

  it("deleting a Patient removes their record with tombstones for each resource; the caseload goes with them", async () => {
    const suffix = randomBytes(4).toString("hex");
    const { resources, patient } = await imported(suffix);
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    await assignPatient(therapist.id, patient.id);

    const result = await importFhir(JSON.stringify(bundle([del(`Patient/${resources.patient.id}`)])), { actorLabel: "test", source: { kind: "file", label: "test" } });
    expect(result.deleted).toEqual({ Patient: 1, Encounter: 1, Observation: 1 });
    expect(await prisma.encounter.count({ where: { patientId: patient.id } })).toBe(0);
    const adminToken = await tokenFor(admin.id);
    for (const [type, id] of [["Patient", resources.patient.id], ["Encounter", resources.encounter.id], ["Observation", resources.observation.id]] as const) {
      expect((await read(type, id, { token: adminToken })).status, type).toBe(410);
      expect((await read(type, id, { token: await tokenFor(therapist.id) })).status, type).toBe(404);
    }
  });

  it("refuses bad DELETE entries whole, naming the entry: conditional, unknown type, bad id, deleted and written at once", async () => {
    const suffix = randomBytes(4).toString("hex");
    const { resources } = await imported(suffix);
    const cases: [object[], RegExp][] = [
      [[del("Observation?code=44261-6")], /resource 1 \(DELETE\)\.request\.url: must be Type\/id/],
      [[del("Medication/abc")], /Medication is not a resource type/],
      [[del("Observation/not_an id")], /the id must be/],
      [[put(resources.observation), del(`Observation/${resources.observation.id}`)], /also written by this Bundle/],
    ];
    for (const [entries, message] of cases) {
      await expect(importFhir(JSON.stringify(bundle([del(`Encounter/${resources.encounter.id}`), ...entries])), { actorLabel: "test", source: { kind: "file", label: "test" } })).rejects.toThrow(message);
    }
    // Nothing of a refused file is applied: the valid DELETE beside each bad entry did not run.
    expect(await prisma.encounter.count({ where: { fhirId: resources.encounter.id } })).toBe(1);
    expect(await prisma.fhirTombstone.count({ where: { fhirId: resources.encounter.id } })).toBe(0);
  });
});
