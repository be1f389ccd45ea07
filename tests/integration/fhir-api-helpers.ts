// Shared set-up for the FHIR API tests: a small clinical record per patient, and calls.
import { randomBytes } from "node:crypto";

import { GET as readRoute, POST as readOrSearchPost } from "@/app/api/fhir/[type]/[id]/route";
import { GET as searchRoute } from "@/app/api/fhir/[type]/route";
import { prisma } from "@/lib/db/client";
import { validateFhirR4 } from "@/lib/reports/testing/fhir-r4-schema";

import { createPatient } from "../setup/fixtures";
import { call } from "../setup/http";

export async function createRecord(overrides: Parameters<typeof createPatient>[0] = {}) {
  const patient = await createPatient(overrides);
  const id = randomBytes(4).toString("hex");
  const practitioner = await prisma.practitioner.create({ data: { fhirId: `pr-${id}`, givenName: "Dana", familyName: `Clinician${id}`, npi: "1234567893", credentials: "LCSW", raw: {} } });
  const encounter = await prisma.encounter.create({
    data: { fhirId: `enc-${id}`, patientId: patient.id, practitionerId: practitioner.id, status: "finished", deliveryFormat: "telehealth", cptCode: "90837", cptDisplay: "Psychotherapy, 60 min", units: 1, startAt: new Date("2024-03-15T14:00:00Z"), endAt: new Date("2024-03-15T15:00:00Z"), reasonText: `Follow-up; call ${patient.phone}`, raw: {} },
  });
  const observations = [];
  for (const [index, date] of ["2023-11-02", "2024-02-10", "2024-06-20"].entries()) {
    observations.push(
      await prisma.observation.create({
        data: { fhirId: `obs-${id}-${index}`, patientId: patient.id, encounterId: encounter.id, code: "44261-6", display: "PHQ-9 total score", category: "survey", valueNumber: 10 + index, unit: "{score}", status: "final", effectiveAt: new Date(`${date}T10:00:00Z`), raw: {} },
      }),
    );
  }
  const condition = await prisma.condition.create({ data: { fhirId: `cond-${id}`, patientId: patient.id, icd10Code: "F41.1", display: "Generalized anxiety disorder", clinicalStatus: "active", onsetDate: "2023-09-01", raw: {} } });
  const response = await prisma.questionnaireResponse.create({
    data: {
      fhirId: `qr-${id}`, patientId: patient.id, encounterId: encounter.id, practitionerId: practitioner.id, questionnaire: "phq-9", status: "completed", authoredAt: new Date("2024-03-15T14:05:00Z"), totalScore: 12, severity: "moderate",
      items: [{ linkId: "phq9-1", text: "Little interest", answer: [{ valueInteger: 2 }] }, { linkId: "phq9-10", text: "Difficulty", answer: [{ valueString: `My neighbour ${patient.familyName} says hi` }] }],
      raw: {},
    },
  });
  const carePlan = await prisma.carePlan.create({ data: { fhirId: `cp-${id}`, patientId: patient.id, title: "Peer support group", category: "referral", status: "accepted", intent: "plan", startDate: "2024-01-10", raw: {} } });
  const plan = await prisma.treatmentPlan.create({ data: { fhirId: `tp-${id}`, patientId: patient.id, title: "Anxiety plan", status: "active", interventions: ["CBT"], startDate: "2024-01-01", raw: {} } });
  const goal = await prisma.goal.create({ data: { fhirId: `goal-${id}`, patientId: patient.id, treatmentPlanId: plan.id, description: "Reduce PHQ-9 below 5", lifecycleStatus: "active", baselineValue: 14, targetValue: 5, currentValue: 10, raw: {} } });
  const note = await prisma.sessionNote.create({ data: { fhirId: `note-${id}`, patientId: patient.id, encounterId: encounter.id, practitionerId: practitioner.id, noteDate: new Date("2024-03-15T14:00:00Z"), status: "final", subjective: "Feels better", plan: "Continue", isSigned: true, raw: {} } });

  return { patient, practitioner, encounter, observations, condition, response, carePlan, plan, goal, note };
}

export type TCallOptions = { token?: string; headers?: Record<string, string> };

export async function search(path: string, options: TCallOptions = {}) {
  const url = new URL(`http://127.0.0.1:3999/api/fhir/${path}`);
  const type = url.pathname.split("/")[3]!;

  return call(searchRoute, { path: `/api/fhir/${path}`, params: { type }, ...options });
}

export async function read(type: string, id: string, options: TCallOptions = {}) {
  return call(readRoute, { path: `/api/fhir/${type}/${id}`, params: { type, id }, ...options });
}

type TBundle = { entry?: { resource: Record<string, unknown> & { id: string; resourceType: string } }[]; link?: { relation: string; url: string }[]; total?: number };

export function resourcesOf(json: unknown) {
  return ((json as TBundle).entry ?? []).map((entry) => entry.resource);
}

export function nextLink(json: unknown) {
  return (json as TBundle).link?.find((link) => link.relation === "next")?.url ?? null;
}

/** Every resource served must be valid R4. */
export function expectValidR4(json: unknown) {
  const result = validateFhirR4(json);
  if (!result.valid) throw new Error(`not valid R4: ${result.errors.join("; ")}`);
}

/** POST [type]/_search with a form body (the route that serves it is [type]/[id] with id "_search"). */
export async function searchByPost(type: string, form: string, options: TCallOptions & { contentType?: string } = {}) {
  const headers = { "content-type": options.contentType ?? "application/x-www-form-urlencoded", ...(options.headers ?? {}) };

  return call(readOrSearchPost, { method: "POST", path: `/api/fhir/${type}/_search`, params: { type, id: "_search" }, rawBody: form, token: options.token, headers });
}
