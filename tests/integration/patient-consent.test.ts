// Patient consent (issue #22 part 2): FHIR Consent import, the admin's opt-out, and every output
// that must leave opted-out patients out (datasets, metrics, FHIR de-identified read/search, Bulk Data)
// or keep them (identified tier for treatment / operations).
import { beforeAll, describe, expect, it } from "vitest";

import { GET as consentGet, PUT as consentPut } from "@/app/api/v1/admin/patients/[id]/consent/route";
import { GET as catalogRoute } from "@/app/api/v1/datasets/route";
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { computeMetrics } from "@/lib/metrics/compute-metrics";
import { env } from "@/lib/env";
import { importFhir } from "@/lib/fhir/import/import-fhir";
import { drainJobs } from "@/lib/jobs/runner";
import { deniesExportPurpose } from "@/lib/patients/consent-provision";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { createClinicalPatient, createOrganization, jobFile, parseCsv, type TClinicalPatient, unzipEntries } from "./dataset-helpers";
import { exportAndWait, resourcesIn } from "./fhir-bulk-helpers";
import { read, resourcesOf, search } from "./fhir-api-helpers";

const RESEARCH = { system: "http://terminology.hl7.org/CodeSystem/v3-ActReason", code: "HRESCH" };

function consent(id: string, patientFhirId: string, options: { type: "deny" | "permit"; dateTime: string; status?: string; purpose?: unknown[] }) {
  return {
    resourceType: "Consent",
    id,
    status: options.status ?? "active",
    scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "research" }] },
    patient: { reference: `Patient/${patientFhirId}` },
    dateTime: options.dateTime,
    provision: { type: options.type, purpose: options.purpose ?? [RESEARCH] },
  };
}
const bundleOf = (...resources: unknown[]) => JSON.stringify({ resourceType: "Bundle", type: "collection", entry: resources.map((resource) => ({ resource })) });
const flagOf = async (patientId: string) => (await prisma.patient.findUniqueOrThrow({ where: { id: patientId }, select: { dataSharingOptOut: true } })).dataSharingOptOut;

let organizationId = "";
let practitionerId = "";
let sharing: TClinicalPatient;
let optedOut: TClinicalPatient;

beforeAll(async () => {
  const organization = await createOrganization();
  organizationId = organization.id;
  practitionerId = (await prisma.practitioner.create({ data: { fhirId: "prac-consent", givenName: "Dana", familyName: "Whitfield", organizationId, raw: {} } })).id;
  sharing = await createClinicalPatient({ organizationId, practitionerId, givenName: "Ottoline", familyName: "Brackenridge" });
  optedOut = await createClinicalPatient({ organizationId, practitionerId, givenName: "Percival", familyName: "Zeffirelli" });
  await importFhir(bundleOf(consent("consent-optout-1", optedOut.fhirId, { type: "deny", dateTime: "2026-01-10T09:00:00Z" })), { actorLabel: "test", source: { kind: "file", label: "test" } });
});

describe("what a Consent says", () => {
  it("a deny of a research or data-sharing purpose, or of every purpose, is an opt-out; a deny of treatment alone, or a permit, is not", () => {
    expect(deniesExportPurpose({ type: "deny", purpose: [RESEARCH] })).toBe(true);
    expect(deniesExportPurpose({ type: "deny" })).toBe(true);
    expect(deniesExportPurpose({ type: "permit", provision: [{ type: "deny", purpose: [{ code: "PUBHLTH" }] }] })).toBe(true);
    expect(deniesExportPurpose({ type: "deny", purpose: [{ system: RESEARCH.system, code: "TREAT" }] })).toBe(false);
    expect(deniesExportPurpose({ type: "permit", purpose: [RESEARCH] })).toBe(false);
    expect(deniesExportPurpose(undefined)).toBe(false);
  });
});

describe("FHIR Consent import", () => {
  it("sets the flag from the latest active Consent: a later permit clears it, an inactive deny does not count, a re-import changes nothing", async () => {
    const patient = await createClinicalPatient({ organizationId, practitionerId, givenName: "Imogen", familyName: "Thistlewood" });
    const first = await importFhir(bundleOf(consent("c-imp-1", patient.fhirId, { type: "deny", dateTime: "2026-02-01T10:00:00Z" })), { actorLabel: "test", source: { kind: "file", label: "test" } });
    expect(first.counts.Consent).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(await flagOf(patient.id)).toBe(true);

    await importFhir(bundleOf(consent("c-imp-2", patient.fhirId, { type: "permit", dateTime: "2026-03-01T10:00:00Z" })), { actorLabel: "test", source: { kind: "file", label: "test" } });
    expect(await flagOf(patient.id)).toBe(false);

    // A newer deny that is not active (withdrawn) leaves the permit in force.
    await importFhir(bundleOf(consent("c-imp-3", patient.fhirId, { type: "deny", dateTime: "2026-04-01T10:00:00Z", status: "inactive" })), { actorLabel: "test", source: { kind: "file", label: "test" } });
    expect(await flagOf(patient.id)).toBe(false);

    // The permit withdrawn (now inactive): the earlier active deny decides again.
    await importFhir(bundleOf(consent("c-imp-2", patient.fhirId, { type: "permit", dateTime: "2026-03-01T10:00:00Z", status: "inactive" })), { actorLabel: "test", source: { kind: "file", label: "test" } });
    expect(await flagOf(patient.id)).toBe(true);
    const again = await importFhir(bundleOf(consent("c-imp-2", patient.fhirId, { type: "permit", dateTime: "2026-03-01T10:00:00Z", status: "inactive" })), { actorLabel: "test", source: { kind: "file", label: "test" } });
    expect(again.counts.Consent).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(await prisma.consent.count({ where: { patientId: patient.id } })).toBe(3);
  });

  it("refuses a Consent without a patient or of an unknown patient, naming the element, and writes nothing", async () => {
    const before = await prisma.consent.count();
    const missing = await importFhir(bundleOf({ ...consent("c-bad-1", "x", { type: "deny", dateTime: "2026-01-01" }), patient: undefined }), { actorLabel: "test", source: { kind: "file", label: "test" } }).catch((error: unknown) => error);
    expect(String((missing as Error).message)).toMatch(/patient/);
    const unknown = await importFhir(bundleOf(consent("c-bad-2", "no-such-patient", { type: "deny", dateTime: "2026-01-01" })), { actorLabel: "test", source: { kind: "file", label: "test" } }).catch((error: unknown) => error);
    expect(JSON.stringify((unknown as { issues?: unknown }).issues ?? (unknown as Error).message)).toMatch(/Patient\/no-such-patient not found/);
    const badType = await importFhir(bundleOf({ ...consent("c-bad-3", sharing.fhirId, { type: "deny", dateTime: "2026-01-01" }), provision: { type: "maybe" } }), { actorLabel: "test", source: { kind: "file", label: "test" } }).catch((error: unknown) => error);
    expect(JSON.stringify((badType as { issues?: unknown }).issues ?? (badType as Error).message)).toMatch(/provision/);
    expect(await prisma.consent.count()).toBe(before);
  });
});

describe("the admin's opt-out", () => {
  it("sets and clears with a reason, audited; refuses without a reason, for non-admins, and for unknown patients", async () => {
    const patient = await createClinicalPatient({ organizationId, practitionerId, givenName: "Rosalind", familyName: "Quenby" });
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const put = (body: unknown, options: { token?: string; id?: string } = {}) =>
      call(consentPut, { method: "PUT", path: `/api/v1/admin/patients/${options.id ?? patient.id}/consent`, params: { id: options.id ?? patient.id }, token: options.token ?? token, body });

    const noReason = await put({ opt_out: true });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.json)).toMatch(/reason/);
    const shortReason = await put({ opt_out: true, reason: "no" });
    expect(shortReason.status).toBe(400);
    expect(JSON.stringify(shortReason.json)).toMatch(/reason/);
    expect((await put({ opt_out: "yes", reason: "Patient called the front desk" })).status).toBe(400);
    expect(await flagOf(patient.id)).toBe(false);

    const set = await put({ opt_out: true, reason: "Patient asked by phone on 2026-12-01" });
    expect(set.status).toBe(200);
    expect(await flagOf(patient.id)).toBe(true);
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "consent_opt_out_set", patientId: patient.id } });
    expect(audit.userId).toBe(admin.id);
    expect(audit.metadata).toMatchObject({ reason: "Patient asked by phone on 2026-12-01", was: false });

    const history = await call(consentGet, { path: `/api/v1/admin/patients/${patient.id}/consent`, params: { id: patient.id }, token });
    expect(history.json).toMatchObject({ optOut: true, consents: [{ source: "portal", optOut: true, reason: "Patient asked by phone on 2026-12-01" }] });

    const cleared = await put({ opt_out: false, reason: "Signed the research consent form" });
    expect(cleared.status).toBe(200);
    expect(await flagOf(patient.id)).toBe(false);
    expect(await prisma.exportAuditLog.count({ where: { action: "consent_opt_out_cleared", patientId: patient.id } })).toBe(1);

    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const refused = await put({ opt_out: true, reason: "Patient asked by phone" }, { token: await tokenFor(therapist.id) });
    expect(refused.status).toBe(403);
    expect(await flagOf(patient.id)).toBe(false);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: therapist.id } })).toBeGreaterThan(0);
    expect((await put({ opt_out: true, reason: "Patient asked by phone" }, { id: "no-such-patient" })).status).toBe(404);
  });
});

async function exportEntries(role: "ANALYST" | "ADMIN", input: Parameters<typeof createDatasetExport>[1], piiAccess = false) {
  const { actor } = await createUser({ role, piiAccess });
  const started = await createDatasetExport(actor, input);
  await drainJobs();
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
  expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");

  return unzipEntries((await jobFile(job.id)).zip);
}

describe("datasets", () => {
  it("the anon tier holds no row of an opted-out patient in any dataset, and the manifest counts them", async () => {
    const entries = await exportEntries("ANALYST", { tier: "anon" });
    const manifest = JSON.parse(entries.get("manifest.json")!);
    const optedOutCount = await prisma.patient.count({ where: { dataSharingOptOut: true } });
    expect(optedOutCount).toBeGreaterThan(0);
    expect(manifest.consent).toEqual({ excludes_opted_out: true, excluded_patients: optedOutCount });
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const catalog = await call(catalogRoute, { path: "/api/v1/datasets", token: await tokenFor(analyst.id) });
    expect(catalog.json.consent).toEqual({ opted_out_patients: optedOutCount });

    const key = env().ANON_KEY;
    const everything = [...entries.values()].join("\n");
    expect(everything).not.toContain(pseudonymize(key, "patient", optedOut.id));
    expect(everything).toContain(pseudonymize(key, "patient", sharing.id));
    const patientRows = parseCsv(entries.get("patient_anon.csv")!);
    expect(patientRows.length).toBe((await prisma.patient.count()) - optedOutCount);
    // Every patient-bound dataset was written without the opted-out patient's rows.
    const encounters = parseCsv(entries.get("encounters.csv")!);
    expect(encounters.length).toBe(await prisma.encounter.count({ where: { patient: { dataSharingOptOut: false } } }));
  });

  it("the identified tier leaves them out unless the stated purpose is treatment or operations", async () => {
    const research = await exportEntries("ANALYST", { tier: "pii", datasets: ["patient"], reason: "Outcomes study", purpose: "research" }, true);
    const researchText = research.get("patient.csv")!;
    expect(researchText).not.toContain(optedOut.mrn!);
    expect(researchText).toContain(sharing.mrn!);
    expect(JSON.parse(research.get("manifest.json")!).consent).toMatchObject({ excludes_opted_out: true, purpose: "research" });

    const unstated = await exportEntries("ADMIN", { tier: "pii", datasets: ["patient"], reason: "Quarterly extract" });
    expect(unstated.get("patient.csv")!).not.toContain(optedOut.mrn!);

    const treatment = await exportEntries("ANALYST", { tier: "pii", datasets: ["patient"], reason: "Care coordination", purpose: "treatment" }, true);
    expect(treatment.get("patient.csv")!).toContain(optedOut.mrn!);
    expect(JSON.parse(treatment.get("manifest.json")!).consent).toEqual({ excludes_opted_out: false, excluded_patients: 0, purpose: "treatment" });
  });

  it("refuses a purpose on a de-identified tier and an unknown purpose, naming the field", async () => {
    const { actor } = await createUser({ role: "ANALYST", piiAccess: true });
    const onAnon = await createDatasetExport(actor, { tier: "anon", purpose: "treatment" }).catch((error: unknown) => error);
    expect(JSON.stringify((onAnon as { issues: unknown }).issues)).toMatch(/purpose/);
    const unknown = await createDatasetExport(actor, { tier: "pii", reason: "Care coordination", purpose: "marketing" }).catch((error: unknown) => error);
    expect(JSON.stringify((unknown as { issues: unknown }).issues)).toMatch(/purpose/);
  });
});

describe("metrics", () => {
  it("an opted-out patient counts in no numerator or denominator", async () => {
    const clinic = await createOrganization("Consent metrics clinic");
    const practitioner = await prisma.practitioner.create({ data: { fhirId: "prac-consent-metrics", givenName: "Sam", familyName: "Metric", organizationId: clinic.id, raw: {} } });
    const inPatient = await createClinicalPatient({ organizationId: clinic.id, practitionerId: practitioner.id, givenName: "Alba", familyName: "Inchcombe" });
    const outPatient = await createClinicalPatient({ organizationId: clinic.id, practitionerId: practitioner.id, givenName: "Bryony", familyName: "Outram" });
    const metrics = async () => (await computeMetrics(prisma, new Date(), null)).filter((row) => row.organization_id === clinic.id);
    const value = (rows: Awaited<ReturnType<typeof metrics>>, metric: string) => rows.filter((row) => row.metric_id === metric).map((row) => row.value);
    // Unsuppressed: encounters by delivery format (one telehealth encounter each). patient_count is a
    // small cell here either way ("" suppressed), so its row's presence is what can be checked.
    const before = await metrics();
    expect(value(before, "encounters_by_delivery_format")).toEqual(["2"]);

    await importFhir(bundleOf(consent("c-metrics", outPatient.fhirId, { type: "deny", dateTime: "2026-05-01T00:00:00Z" })), { actorLabel: "test", source: { kind: "file", label: "test" } });
    const after = await metrics();
    expect(value(after, "encounters_by_delivery_format")).toEqual(["1"]);
    expect(after.find((row) => row.metric_id === "patient_count")).toMatchObject({ suppressed: "true" });
    expect(inPatient.id).not.toBe(outPatient.id);
  });
});

describe("FHIR", () => {
  it("de-identified search and read leave the opted-out patient out; the identified view (admins) keeps them", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const analystToken = await tokenFor(analyst.id);
    const key = env().ANON_KEY;
    const pseudonymOf = (patient: TClinicalPatient) => pseudonymize(key, "patient", patient.id);

    const patients = resourcesOf((await search("Patient?_count=1000", { token: analystToken })).json).map((resource) => resource.id);
    expect(patients).toContain(pseudonymOf(sharing));
    expect(patients).not.toContain(pseudonymOf(optedOut));
    const encounters = resourcesOf((await search("Encounter?_count=1000", { token: analystToken })).json);
    expect(JSON.stringify(encounters)).not.toContain(pseudonymOf(optedOut));
    expect(JSON.stringify(encounters)).toContain(pseudonymOf(sharing));

    expect((await read("Patient", pseudonymOf(sharing), { token: analystToken })).status).toBe(200);
    expect((await read("Patient", pseudonymOf(optedOut), { token: analystToken })).status).toBe(404);

    const { user: admin } = await createUser({ role: "ADMIN" });
    const adminToken = await tokenFor(admin.id);
    expect((await read("Patient", optedOut.fhirId, { token: adminToken })).status).toBe(200);
  });

  it("a de-identified Bulk Data export holds no resource of an opted-out patient; an admin's identified one does", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(analyst.id);
    const { manifest } = await exportAndWait("system", { token, query: "_type=Patient,Encounter" });
    const text = JSON.stringify([...(await resourcesIn(manifest, "Patient", token)), ...(await resourcesIn(manifest, "Encounter", token))]);
    expect(text).toContain(pseudonymize(env().ANON_KEY, "patient", sharing.id));
    expect(text).not.toContain(pseudonymize(env().ANON_KEY, "patient", optedOut.id));
    // The manifest says how many were left out (counted, never named).
    expect((manifest as { extension?: { consent?: { excludedPatients: number } } }).extension?.consent).toEqual({ excludedPatients: await prisma.patient.count({ where: { dataSharingOptOut: true } }) });

    const { user: admin } = await createUser({ role: "ADMIN" });
    const adminToken = await tokenFor(admin.id);
    const identified = await exportAndWait("system", { token: adminToken, query: "_type=Patient" });
    const ids = (await resourcesIn(identified.manifest, "Patient", adminToken)).map((resource) => resource.id);
    expect(ids).toContain(optedOut.fhirId);
    expect((identified.manifest as { extension?: unknown }).extension).toBeUndefined();
  });
});
