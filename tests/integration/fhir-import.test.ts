import { describe, expect, it } from "vitest";

import { POST as importRoute } from "@/app/api/fhir/route";
import { prisma } from "@/lib/db/client";
import { importFhir } from "@/lib/fhir/import/import-fhir";
import { encodeSessionNote } from "@/lib/fhir/session-note-content";
import { AppError } from "@/lib/errors/app-error";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

const ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";

function smallBundle(type = "collection", suffix = "a") {
  const patient = `fx-pat-${suffix}`;
  const practitioner = `fx-prac-${suffix}`;
  const encounter = `fx-enc-${suffix}`;

  return {
    resourceType: "Bundle",
    type,
    entry: [
      { resource: { resourceType: "Organization", id: `fx-org-${suffix}`, name: "Fixture Clinic" } },
      { resource: { resourceType: "Practitioner", id: practitioner, name: [{ family: "Rivera", given: ["Sam"] }], identifier: [{ system: "http://hl7.org/fhir/sid/us-npi", value: "1234567893" }] } },
      {
        resource: {
          resourceType: "Patient",
          id: patient,
          name: [{ family: "Fixture", given: ["Pat"] }],
          birthDate: "1980-02-03",
          telecom: [{ system: "phone", value: "413-555-7788" }],
          identifier: [{ system: "https://careexport.example/fhir/sid/mrn", value: `MRN-${suffix}` }],
        },
      },
      {
        resource: {
          resourceType: "Encounter",
          id: encounter,
          status: "finished",
          subject: { reference: `Patient/${patient}` },
          participant: [{ individual: { reference: `Practitioner/${practitioner}` } }],
          period: { start: "2026-10-01T14:00:00Z", end: "2026-10-01T14:45:00Z" },
          type: [{ coding: [{ system: "http://www.ama-assn.org/go/cpt", code: "90834" }] }],
        },
      },
      { resource: { resourceType: "Condition", id: `fx-cond-${suffix}`, subject: { reference: `Patient/${patient}` }, code: { coding: [{ system: ICD10, code: "F41.1", display: "Generalized anxiety disorder" }] } } },
      {
        resource: {
          resourceType: "QuestionnaireResponse",
          id: `fx-qr-${suffix}`,
          questionnaire: "https://careexport.example/fhir/Questionnaire/gad-7",
          status: "completed",
          subject: { reference: `Patient/${patient}` },
          authored: "2026-10-01T13:50:00Z",
          item: [1, 2, 3, 4, 5, 6, 7].map((n) => ({ linkId: `gad7-${n}`, answer: [{ valueInteger: 2 }] })),
        },
      },
      {
        resource: {
          resourceType: "DocumentReference",
          id: `fx-note-${suffix}`,
          status: "current",
          docStatus: "final",
          subject: { reference: `Patient/${patient}` },
          date: "2026-10-01T15:00:00Z",
          author: [{ reference: `Practitioner/${practitioner}` }],
          content: [{ attachment: encodeSessionNote({ subjective: "Client reports less worry.", plan: "Continue CBT." }) }],
          context: { encounter: [{ reference: `Encounter/${encounter}` }] },
        },
      },
    ],
  };
}

describe("FHIR import", () => {
  it("imports a bundle, links notes to encounters, scores questionnaires, and re-importing changes nothing", async () => {
    const first = await importFhir(JSON.stringify(smallBundle()), { actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
    expect(first.total).toBe(7);
    expect(first.counts.Patient).toEqual({ created: 1, updated: 0, unchanged: 0 });

    const note = await prisma.sessionNote.findUniqueOrThrow({ where: { fhirId: "fx-note-a" }, include: { encounter: true } });
    expect(note.encounter?.fhirId).toBe("fx-enc-a");
    expect(note.subjective).toBe("Client reports less worry.");
    const response = await prisma.questionnaireResponse.findUniqueOrThrow({ where: { fhirId: "fx-qr-a" } });
    expect(response.questionnaire).toBe("gad-7");
    expect(response.totalScore).toBe(14);
    expect(response.severity).toBe("moderate");

    const before = await prisma.patient.findUniqueOrThrow({ where: { fhirId: "fx-pat-a" } });
    const second = await importFhir(JSON.stringify(smallBundle()), { actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
    expect(Object.values(second.counts).every((count) => count!.created === 0 && count!.updated === 0)).toBe(true);
    const after = await prisma.patient.findUniqueOrThrow({ where: { fhirId: "fx-pat-a" } });
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    expect(await prisma.patient.count({ where: { fhirId: "fx-pat-a" } })).toBe(1);
  });

  it("rejects a file with an invalid resource whole, naming its index, type and reason", async () => {
    const bundle = smallBundle("collection", "bad");
    (bundle.entry[3]!.resource as Record<string, unknown>).period = undefined;
    const error = await importFhir(JSON.stringify(bundle), { actorLabel: "test", source: { kind: "file", label: "test.ndjson" } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    expect((error as AppError).message).toMatch(/resource 3 \(Encounter\/fx-enc-bad\).*period/);
    expect(await prisma.patient.count({ where: { fhirId: "fx-pat-bad" } })).toBe(0);
    expect(await prisma.organization.count({ where: { fhirId: "fx-org-bad" } })).toBe(0);
  });

  it("rejects a reference to a resource that exists nowhere", async () => {
    const bundle = smallBundle("collection", "ref");
    (bundle.entry[3]!.resource as { subject: { reference: string } }).subject.reference = "Patient/nobody-here";
    await expect(importFhir(JSON.stringify(bundle), { actorLabel: "test", source: { kind: "file", label: "test.ndjson" } })).rejects.toThrow(/resource 3 \(Encounter\/fx-enc-ref\)/);
    expect(await prisma.encounter.count({ where: { fhirId: "fx-enc-ref" } })).toBe(0);
  });

  it("POST /api/fhir: admins import batch bundles (audited); others get 403; other bundle types 400", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: therapist } = await createUser({ role: "THERAPIST" });

    const ok = await call(importRoute, { path: "/api/fhir", token: await tokenFor(admin.id), body: smallBundle("batch", "api") });
    expect(ok.status).toBe(200);
    expect(ok.json.imported).toBe(7);
    expect(await prisma.exportAuditLog.count({ where: { action: "fhir_imported", userId: admin.id } })).toBe(1);

    const wrongType = await call(importRoute, { path: "/api/fhir", token: await tokenFor(admin.id), body: smallBundle("collection", "api2") });
    expect(wrongType.status).toBe(400);
    expect(wrongType.text).toContain("Bundle.type");

    const denied = await call(importRoute, { path: "/api/fhir", token: await tokenFor(therapist.id), body: smallBundle("batch", "api3") });
    expect(denied.status).toBe(403);
    expect(await prisma.patient.count({ where: { fhirId: "fx-pat-api3" } })).toBe(0);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: therapist.id } })).toBe(1);
  });
});
