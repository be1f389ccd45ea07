import { describe, expect, it } from "vitest";

import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { issueAccessToken } from "@/lib/fhir/smart/access-tokens";
import { drainJobs } from "@/lib/jobs/runner";
import { sweepExpiredFiles } from "@/lib/jobs/sweep-expired";
import { storage } from "@/lib/storage";
import { updateSettings } from "@/lib/settings/settings";

import { assignPatient, createUser } from "../setup/fixtures";
import { tokenFor } from "../setup/http";
import { createRecord, expectValidR4, read, resourcesOf, search } from "./fhir-api-helpers";
import { cancel, download, exportAndWait, jobIdOf, kickOff, poll, resourcesIn, type TManifest } from "./fhir-bulk-helpers";

/** An organization with these patients' records, and its Group id. */
async function organizationWith(count: number, overrides: Parameters<typeof createRecord>[0] = {}) {
  const organization = await prisma.organization.create({ data: { fhirId: `org-${crypto.randomUUID()}`, name: "Northside Clinic", raw: {} } });
  const records = [];
  for (let index = 0; index < count; index++) {
    const record = await createRecord(overrides);
    await prisma.patient.update({ where: { id: record.patient.id }, data: { organizationId: organization.id } });
    records.push(record);
  }

  return { organization, groupId: `org-${organization.id}`, records };
}

async function smartClient(role: "ADMIN" | "ANALYST", scopes: string[], options: { piiReason?: string } = {}) {
  const { user } = await createUser({ role, piiAccess: Boolean(options.piiReason) });
  const client = await prisma.fhirClient.create({ data: { clientId: `cx-${crypto.randomUUID()}`, name: "test client", userId: user.id, piiReason: options.piiReason ?? null, jwks: { keys: [] }, scopes } });
  const token = async (granted = scopes) => (await issueAccessToken(client.id, granted)).token;

  return { user, client, token };
}

const issuesOf = (json: Record<string, unknown>) => json.issue as { severity: string; code: string; diagnostics: string; expression?: string[] }[];

describe("FHIR Bulk Data $export", () => {
  it("an admin exports a Group: 202 with Content-Location, a first poll of 202, a manifest with absolute URLs and counts, valid R4 NDJSON per type", { timeout: 180_000 }, async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const { groupId, records } = await organizationWith(2);

    const started = await kickOff(`group:${groupId}`, { token });
    expect(started.status).toBe(202);
    expect(started.json.resourceType).toBe("OperationOutcome");
    const location = started.headers.get("content-location")!;
    expect(location).toMatch(/^http:\/\/127\.0\.0\.1:3999\/api\/fhir\/bulk-status\/\w+$/);
    const jobId = jobIdOf(location);
    const first = await poll(jobId, token);
    expect(first.status).toBe(202);
    expect(first.headers.get("x-progress")).toMatch(/^\d+%/);
    expect(Number(first.headers.get("retry-after"))).toBeGreaterThan(0);

    await drainJobs();
    const done = await poll(jobId, token);
    expect(done.status).toBe(200);
    expect(done.headers.get("content-type")).toContain("application/json");
    const manifest = done.json as unknown as TManifest;
    expect(manifest).toMatchObject({ requiresAccessToken: true, error: [], request: expect.stringContaining(`/Group/${groupId}/$export`) });
    expect(new Date(manifest.transactionTime).toISOString()).toBe(manifest.transactionTime);
    expect(manifest.output.map((file) => file.type).sort()).toEqual(["CarePlan", "Condition", "DocumentReference", "Encounter", "Goal", "Observation", "Patient", "QuestionnaireResponse"]);
    for (const file of manifest.output) {
      expect(file.url).toMatch(/^http:\/\/127\.0\.0\.1:3999\/api\/fhir\/bulk-files\//);
      const response = await download(file.url, token);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/fhir+ndjson");
      const lines = response.text.split("\n").filter(Boolean);
      expect(lines).toHaveLength(file.count);
      for (const line of lines) expectValidR4(JSON.parse(line));
    }
    const patients = await resourcesIn(manifest, "Patient", token);
    expect(patients.map((patient) => patient.id).sort()).toEqual(records.map((record) => record.patient.fhirId).sort());
    expect((await resourcesIn(manifest, "Observation", token)).length).toBe(6);
    expect((await resourcesIn(manifest, "CarePlan", token)).length).toBe(4);

    // Kick-off, poll results and downloads are audited.
    expect(await prisma.exportAuditLog.count({ where: { action: "export_created", exportJobId: jobId } })).toBe(1);
    expect(await prisma.exportAuditLog.count({ where: { action: "fhir_bulk_polled", exportJobId: jobId } })).toBe(2);
    expect(await prisma.exportAuditLog.count({ where: { action: "downloaded", exportJobId: jobId } })).toBeGreaterThanOrEqual(manifest.output.length);

    // Groups are readable and searchable resources too.
    const group = await read("Group", groupId, { token });
    expect(group.json).toMatchObject({ resourceType: "Group", id: groupId, type: "person", actual: true, quantity: 2 });
    expectValidR4(group.json);
    const groups = await search("Group", { token });
    expect(resourcesOf(groups.json).map((resource) => resource.id)).toContain(groupId);
  });

  it("refuses bad kick-offs with a 400 OperationOutcome naming the header or parameter", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const bad = async (level: string, options: Omit<Parameters<typeof kickOff>[1], "token">) => {
      const response = await kickOff(level, { token, ...options });
      expect(response.status, JSON.stringify(options)).toBe(400);
      expect(response.json.resourceType).toBe("OperationOutcome");
      expectValidR4(response.json);
      return issuesOf(response.json)[0]!.expression;
    };

    expect(await bad("system", { headers: { accept: undefined } })).toEqual(["Accept"]);
    expect(await bad("system", { headers: { prefer: undefined } })).toEqual(["Prefer"]);
    expect(await bad("patient", { headers: { prefer: "handling=lenient" } })).toEqual(["Prefer"]);
    expect(await bad("system", { query: "_outputFormat=application/xml" })).toEqual(["_outputFormat"]);
    expect(await bad("system", { query: "_since=0000-60-01T30:70:80%2B05:00" })).toEqual(["_since"]);
    expect(await bad("system", { query: "_since=2057-01-01T00:00:00Z" })).toEqual(["_since"]);
    expect(await bad("system", { query: "_since=2026-02-30T00:00:00Z" })).toEqual(["_since"]);
    expect(await bad("system", { query: `_typeFilter=${encodeURIComponent("Observation?date=ge2026-02-30T10:00:00Z")}` })).toEqual(["date"]);
    expect(await bad("system", { query: `_typeFilter=${encodeURIComponent("Observation?_lastUpdated=gt1899")}` })).toEqual(["_lastUpdated"]);
    expect(await bad("system", { query: "_since=1899-12-31T00:00:00Z" })).toEqual(["_since"]);
    expect(await bad("system", { body: { resourceType: "Parameters", parameter: [{ name: "_since", valueInstant: "2025-02-29T10:00:00Z" }] } })).toEqual(["_since"]);
    expect(await bad("system", { query: "_type=Patient,MissingType" })).toEqual(["_type"]);
    expect(await bad("system", { body: { resourceType: "Parameters", parameter: [{ name: "_type", valueString: "MissingType" }] } })).toEqual(["_type"]);
    expect(await bad("system", { body: { resourceType: "Parameters", parameter: [{}, {}] } })).toEqual(["parameter[0].name"]);
    expect(await bad("system", { body: { resourceType: "Parameters", parameter: [{ name: "patient", valueReference: { reference: "Patient/x" } }] } })).toEqual(["patient"]);
    expect(await bad("system", { body: { resourceType: "Bundle" } })).toEqual(["body.resourceType"]);
    expect(await bad("system", { query: "_elements=id,name[0]" })).toEqual(["_elements"]);
    // Unknown parameters and unsupported values: 400 under handling=strict.
    expect(await bad("system", { query: "colour=blue", headers: { prefer: "respond-async, handling=strict" } })).toEqual(["colour"]);
    expect(await bad("system", { query: "includeAssociatedData=LatestProvenanceResources", headers: { prefer: "respond-async, handling=strict" } })).toEqual(["includeAssociatedData"]);
    expect(await bad("system", { query: "_typeFilter=Patient%3Fstatus%3Dactive", headers: { prefer: "respond-async, handling=strict" } })).toEqual(["status"]);
    for (const format of ["application/fhir+ndjson", "application/ndjson", "ndjson"]) {
      const accepted = await kickOff("system", { token, query: `_outputFormat=${encodeURIComponent(format)}&_type=Organization` });
      expect(accepted.status, format).toBe(202);
      expect((await cancel(jobIdOf(accepted.headers.get("content-location")), token)).status).toBe(202);
    }
    const unknownGroup = await kickOff("group:org-nosuchorganization", { token });
    expect(unknownGroup.status).toBe(404);
    expect(unknownGroup.json.resourceType).toBe("OperationOutcome");
  });

  it("applies _type, _since, _typeFilter, _elements and patient; lenient handling reports what it ignored in the manifest's error files", { timeout: 60_000 }, async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const { groupId, records } = await organizationWith(2);
    const [first, second] = records;
    await prisma.observation.update({ where: { id: first!.observations[0]!.id }, data: { code: "89204-2" } });

    const filtered = await exportAndWait(`group:${groupId}`, { token, query: `_type=Observation,Patient&_typeFilter=${encodeURIComponent("Observation?code=89204-2")}&_elements=id,Patient.gender,Observation.code&colour=blue` });
    expect(filtered.manifest.output.map((file) => file.type).sort()).toEqual(["Observation", "Patient"]);
    const observations = await resourcesIn(filtered.manifest, "Observation", token);
    expect(observations.map((observation) => observation.id)).toEqual([first!.observations[0]!.fhirId]);
    expect(Object.keys(observations[0]!).sort()).toEqual(["code", "id", "meta", "resourceType"]);
    expect((observations[0]!.meta as { tag: { code: string }[] }).tag).toContainEqual(expect.objectContaining({ system: "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", code: "SUBSETTED" }));
    expectValidR4(observations[0]);
    const patients = await resourcesIn(filtered.manifest, "Patient", token);
    expect(Object.keys(patients[0]!).sort()).toEqual(["gender", "id", "meta", "resourceType"]);
    expect(filtered.manifest.error).toHaveLength(1);
    const outcome = await download(filtered.manifest.error[0]!.url, token);
    expect(outcome.status).toBe(200);
    expect(outcome.text).toContain("colour");
    expectValidR4(JSON.parse(outcome.text.split("\n")[0]!));

    // patient (POST Parameters): only that patient; one that does not exist is ignored, not an error.
    const one = await exportAndWait("patient", {
      token,
      body: { resourceType: "Parameters", parameter: [{ name: "patient", valueReference: { reference: `Patient/${second!.patient.fhirId}` } }, { name: "patient", valueReference: { reference: "Patient/does-not-exist" } }, { name: "_type", valueString: "Patient,Condition" }] },
    });
    expect((await resourcesIn(one.manifest, "Patient", token)).map((patient) => patient.id)).toEqual([second!.patient.fhirId]);
    expect((await resourcesIn(one.manifest, "Condition", token)).map((condition) => condition.id)).toEqual([second!.condition.fhirId]);
    const nobody = await exportAndWait("patient", { token, body: { resourceType: "Parameters", parameter: [{ name: "patient", valueReference: { reference: "Patient/does-not-exist" } }] } });
    expect(nobody.status.status).toBe(200);
    expect(nobody.manifest.output).toEqual([]);

    // _since: only what changed after it.
    const cut = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await prisma.condition.update({ where: { id: first!.condition.id }, data: { clinicalStatus: "resolved" } });
    const since = await exportAndWait(`group:${groupId}`, { token, query: `_since=${encodeURIComponent(cut.toISOString())}&includeAssociatedData=LatestProvenanceResources` });
    expect(since.manifest.output.map((file) => file.type)).toEqual(["Condition"]);
    expect((await resourcesIn(since.manifest, "Condition", token)).map((condition) => condition.id)).toEqual([first!.condition.fhirId]);
  });

  it("analysts get the REST API's de-identified view: dataset pseudonyms, the PSEUDED label, no identifiers; types without a view are 403", { timeout: 60_000 }, async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(analyst.id);
    const { groupId, records } = await organizationWith(1);
    const record = records[0]!;
    const key = env().ANON_KEY;

    const refused = await kickOff(`group:${groupId}`, { token, query: "_type=DocumentReference" });
    expect(refused.status).toBe(403);
    expect(refused.json.resourceType).toBe("OperationOutcome");

    const { manifest } = await exportAndWait(`group:${groupId}`, { token });
    expect(manifest.output.map((file) => file.type).sort()).toEqual(["CarePlan", "Condition", "Encounter", "Observation", "Patient", "QuestionnaireResponse"]);
    const patients = await resourcesIn(manifest, "Patient", token);
    expect(patients.map((patient) => patient.id)).toEqual([pseudonymize(key, "patient", record.patient.id)]);
    const observations = await resourcesIn(manifest, "Observation", token);
    expect(observations.map((observation) => observation.id).sort()).toEqual(record.observations.map((observation) => pseudonymize(key, "observation", observation.id)).sort());
    let text = "";
    for (const type of manifest.output.map((file) => file.type)) {
      for (const resource of await resourcesIn(manifest, type, token)) {
        // The same resource, references included, as the REST API serves it.
        expect((await read(type, resource.id as string, { token })).json).toEqual(resource);
        expectValidR4(resource);
        expect((resource.meta as { security: { code: string }[] }).security.map((label) => label.code)).toEqual(["PSEUDED"]);
        expect(resource.text).toBeUndefined();
        text += JSON.stringify(resource);
      }
    }
    for (const secret of [record.patient.familyName, record.patient.mrn!, record.patient.email!, "12 Elm Street", record.patient.fhirId, record.patient.id, "555-201-3344"]) expect(text).not.toContain(secret);
  });

  it("the release scan withholds a de-identified export holding a patient's identifier: the job fails, its files are deleted, the status is a 500 OperationOutcome", { timeout: 60_000 }, async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(analyst.id);
    const { groupId, records } = await organizationWith(1, { familyName: "Quillfeather" });
    await prisma.observation.update({ where: { id: records[0]!.observations[0]!.id }, data: { display: "Score for Quillfeather" } });

    const { jobId, status } = await exportAndWait(`group:${groupId}`, { token, query: "_type=Patient,Observation" });
    expect(status.status).toBe(500);
    expect(status.json.resourceType).toBe("OperationOutcome");
    expect(status.text).not.toContain("Quillfeather");
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.status).toBe("FAILED");
    expect(await prisma.exportAuditLog.findFirst({ where: { action: "export_failed", exportJobId: jobId } })).toMatchObject({ patientId: records[0]!.patient.id });
    const stored = `${job.userId}/${jobId}/${job.attempts}/bulk`;
    expect(await storage().exists(`${stored}/Patient-1.ndjson`)).toBe(false);
    expect(await storage().exists(`${stored}/Observation-1.ndjson`)).toBe(false);
  });

  it("DELETE cancels: 202, then the status and file URLs answer 404 OperationOutcome (as application/json on DELETE)", { timeout: 60_000 }, async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const { groupId } = await organizationWith(1);
    const { jobId, manifest } = await exportAndWait(`group:${groupId}`, { token, query: "_type=Patient" });
    const fileUrl = manifest.output[0]!.url;
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    const fileKey = `${job.userId}/${jobId}/${job.attempts}/bulk/Patient-1.ndjson`;
    expect(await storage().exists(fileKey)).toBe(true);

    const cancelled = await cancel(jobId, token);
    expect(cancelled.status).toBe(202);
    expect(cancelled.headers.get("content-type")).toContain("application/json");
    expect(await storage().exists(fileKey)).toBe(false);
    const again = await cancel(jobId, token);
    expect(again.status).toBe(404);
    expect(again.headers.get("content-type")).toContain("application/json");
    expect(again.json.resourceType).toBe("OperationOutcome");
    const status = await poll(jobId, token);
    expect(status.status).toBe(404);
    expect(status.json.resourceType).toBe("OperationOutcome");
    expect((await download(fileUrl, token)).status).toBe(404);
    expect(await prisma.exportAuditLog.count({ where: { action: "fhir_bulk_cancelled", exportJobId: jobId } })).toBe(1);

    // A running export cancelled before it ran is never run.
    const pending = await kickOff(`group:${groupId}`, { token });
    const pendingId = jobIdOf(pending.headers.get("content-location"));
    expect((await cancel(pendingId, token)).status).toBe(202);
    await drainJobs();
    expect((await prisma.exportJob.findUniqueOrThrow({ where: { id: pendingId } })).status).toBe("CANCELLED");
  });

  it("an expired export answers 404 on its status and files, and the sweeper deletes its NDJSON files", { timeout: 60_000 }, async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const { groupId } = await organizationWith(1);
    const { jobId, manifest } = await exportAndWait(`group:${groupId}`, { token, query: "_type=Patient,Condition" });
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    const keys = manifest.output.map((file) => `${job.userId}/${jobId}/${job.attempts}/bulk/${file.url.split("/").pop()}`);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(await storage().exists(key)).toBe(true);

    await prisma.exportJob.update({ where: { id: jobId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await poll(jobId, token)).status).toBe(404);
    expect((await download(manifest.output[0]!.url, token)).status).toBe(404);
    expect(await sweepExpiredFiles()).toBeGreaterThanOrEqual(1);
    for (const key of [...keys, job.fileKey!]) expect(await storage().exists(key)).toBe(false);
    expect((await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("EXPIRED");
  });

  it("files go only to their exporter, with a token whose scopes cover the type; therapists export their own caseload only", { timeout: 60_000 }, async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: otherAdmin } = await createUser({ role: "ADMIN" });
    const { groupId, records } = await organizationWith(1);
    const client = await smartClient("ADMIN", ["system/*.read"]);
    const { manifest, jobId } = await exportAndWait(`group:${groupId}`, { token: await client.token(), query: "_type=Patient,Observation" });
    const patientFile = manifest.output.find((file) => file.type === "Patient")!;

    expect((await download(patientFile.url, await client.token())).status).toBe(200);
    expect((await download(patientFile.url, await tokenFor(otherAdmin.id))).status).toBe(404);
    expect((await poll(jobId, await tokenFor(admin.id))).status).toBe(404);
    const narrow = await download(patientFile.url, await client.token(["system/Observation.read"]));
    expect(narrow.status).toBe(403);
    expect(narrow.json.resourceType).toBe("OperationOutcome");
    // A token that does not cover a type cannot export it.
    const uncovered = await kickOff(`group:${groupId}`, { token: await client.token(["system/Observation.read"]), query: "_type=Patient" });
    expect(uncovered.status).toBe(403);

    const { user: therapist } = await createUser({ role: "THERAPIST" });
    await assignPatient(therapist.id, records[0]!.patient.id);
    const therapistToken = await tokenFor(therapist.id);
    const own = await exportAndWait(`group:caseload-${therapist.id}`, { token: therapistToken, query: "_type=Patient" });
    expect((await resourcesIn(own.manifest, "Patient", therapistToken)).map((patient) => patient.id)).toEqual([records[0]!.patient.fhirId]);
    const { user: colleague } = await createUser({ role: "THERAPIST" });
    expect((await kickOff(`group:caseload-${colleague.id}`, { token: therapistToken })).status).toBe(404);
    expect((await kickOff(`group:${groupId}`, { token: therapistToken })).status).toBe(404);
    expect((await kickOff("system", { token: therapistToken })).status).toBe(403);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: therapist.id } })).toBe(3);
  });

  it("rate limits: people by the hourly export setting, each client by its own setting (429 OperationOutcome with Retry-After)", { timeout: 60_000 }, async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    await updateSettings({ dataset_exports_per_hour: 1, fhir_bulk_client_exports_per_hour: 2 }, admin.id);
    const { groupId } = await organizationWith(1);

    const analystToken = await tokenFor((await createUser({ role: "ANALYST" })).user.id);
    expect((await kickOff(`group:${groupId}`, { token: analystToken, query: "_type=Patient" })).status).toBe(202);
    const limited = await kickOff(`group:${groupId}`, { token: analystToken, query: "_type=Patient" });
    expect(limited.status).toBe(429);
    expect(limited.json.resourceType).toBe("OperationOutcome");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    const client = await smartClient("ANALYST", ["system/*.read"]);
    const clientToken = await client.token();
    expect((await kickOff(`group:${groupId}`, { token: clientToken, query: "_type=Patient" })).status).toBe(202);
    expect((await kickOff(`group:${groupId}`, { token: clientToken, query: "_type=Patient" })).status).toBe(202);
    expect((await kickOff(`group:${groupId}`, { token: clientToken, query: "_type=Patient" })).status).toBe(429);
    await updateSettings({ dataset_exports_per_hour: 100, fhir_bulk_client_exports_per_hour: 1000 }, admin.id);
  });

  it("a client with the pii grant exports identified data, its reason audited with the kick-off", { timeout: 60_000 }, async () => {
    const { groupId, records } = await organizationWith(1);
    const client = await smartClient("ANALYST", ["system/Patient.read"], { piiReason: "Care coordination warehouse under BAA 2026-14" });
    const { manifest, jobId } = await exportAndWait(`group:${groupId}`, { token: await client.token(), query: "_type=Patient" });
    expect((await resourcesIn(manifest, "Patient", await client.token())).map((patient) => patient.id)).toEqual([records[0]!.patient.fhirId]);
    const created = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "export_created", exportJobId: jobId } });
    expect(created.metadata).toMatchObject({ view: "identified", reason: "Care coordination warehouse under BAA 2026-14", clientId: client.client.clientId });
  });
});
