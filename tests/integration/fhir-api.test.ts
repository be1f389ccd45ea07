import { describe, expect, it } from "vitest";

import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";

import { assignPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { POST as POST_READ } from "@/app/api/fhir/[type]/[id]/route";
import { createRecord, expectValidR4, nextLink, read, resourcesOf, search, searchByPost } from "./fhir-api-helpers";

describe("FHIR API: identified views", () => {
  // The first test compiles the R4 JSON schema (tens of seconds on a busy machine).
  it("a therapist searches and reads their assigned patients' resources of every type, all valid R4", { timeout: 180_000 }, async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const mine = await createRecord();
    await createRecord();
    await assignPatient(therapist.id, mine.patient.id);
    const token = await tokenFor(therapist.id);

    const patients = await search("Patient", { token });
    expect(patients.status).toBe(200);
    expect(patients.headers.get("content-type")).toContain("application/fhir+json");
    expectValidR4(patients.json);
    expect(resourcesOf(patients.json).map((resource) => resource.id)).toEqual([mine.patient.fhirId]);
    const patient = resourcesOf(patients.json)[0]!;
    expect(patient.name).toEqual([{ use: "official", family: mine.patient.familyName, given: ["Avery"] }]);
    expect(patient.birthDate).toBe("1985-04-12");

    for (const type of ["Encounter", "Observation", "QuestionnaireResponse", "Condition", "CarePlan", "Goal", "DocumentReference", "Practitioner", "Organization", "Location", "Questionnaire"]) {
      const found = await search(type, { token });
      expect(found.status, type).toBe(200);
      expectValidR4(found.json);
    }
    const observations = await search(`Observation?patient=Patient/${mine.patient.fhirId}`, { token });
    expect(resourcesOf(observations.json)).toHaveLength(3);
    expect(resourcesOf(observations.json)[0]).toMatchObject({ subject: { reference: `Patient/${mine.patient.fhirId}` }, encounter: { reference: `Encounter/${mine.encounter.fhirId}` }, valueQuantity: { value: 10 } });
    const carePlans = resourcesOf((await search("CarePlan", { token })).json);
    expect(carePlans.map((resource) => resource.id).sort()).toEqual([mine.carePlan.fhirId, mine.plan.fhirId].sort());

    const encounter = await read("Encounter", mine.encounter.fhirId, { token });
    expect(encounter.status).toBe(200);
    expectValidR4(encounter.json);
    expect(encounter.json).toMatchObject({ resourceType: "Encounter", id: mine.encounter.fhirId, period: { start: "2024-03-15T14:00:00.000Z" } });
    const note = await read("DocumentReference", mine.note.fhirId, { token });
    expectValidR4(note.json);
  });

  it("a foreign patient's resource is the same 404 OperationOutcome as a missing one, and the denial is audited", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const foreign = await createRecord();
    const token = await tokenFor(therapist.id);

    const denied = await read("Observation", foreign.observations[0]!.fhirId, { token });
    const missing = await read("Observation", "no-such-observation", { token });
    expect(denied.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(denied.json.resourceType).toBe("OperationOutcome");
    expectValidR4(denied.json);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: therapist.id, patientId: foreign.patient.id } })).toBe(1);
    const searched = await search(`Observation?patient=${foreign.patient.fhirId}`, { token });
    expect(resourcesOf(searched.json)).toEqual([]);
  });

  it("filters by date ranges, code, category, status, questionnaire and identifier; pages by cursor; counts; subsets", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const record = await createRecord();
    const patient = `patient=${record.patient.fhirId}`;

    const ids = async (path: string) => resourcesOf((await search(path, { token })).json).map((resource) => resource.id);
    const [o2023, o2024a, o2024b] = record.observations.map((observation) => observation.fhirId);
    expect(await ids(`Observation?${patient}&date=ge2024-01-01`)).toEqual([o2024a, o2024b]);
    expect(await ids(`Observation?${patient}&date=ge2024-01-01&date=lt2024-06`)).toEqual([o2024a]);
    expect(await ids(`Observation?${patient}&date=2023`)).toEqual([o2023]);
    expect(await ids(`Observation?${patient}&date=gt2024-02-10`)).toEqual([o2024b]);
    expect(await ids(`Observation?${patient}&date=le2024-02-10`)).toEqual([o2023, o2024a]);
    expect(await ids(`Observation?${patient}&code=http://loinc.org|44261-6&category=survey&status=final&_sort=-date`)).toEqual([o2024b, o2024a, o2023]);
    expect(await ids(`Observation?${patient}&code=9999-9`)).toEqual([]);
    expect(await ids(`Observation?encounter=Encounter/${record.encounter.fhirId}&_count=1`)).toHaveLength(1);
    expect(await ids(`QuestionnaireResponse?${patient}&questionnaire=Questionnaire/phq-9`)).toEqual([record.response.fhirId]);
    expect(await ids(`QuestionnaireResponse?${patient}&questionnaire=gad-7`)).toEqual([]);
    expect(await ids(`Patient?identifier=${record.patient.mrn}`)).toEqual([record.patient.fhirId]);
    expect(await ids(`Patient?family=${record.patient.familyName.toLowerCase().slice(0, 8)}&_id=${record.patient.fhirId}`)).toEqual([record.patient.fhirId]);
    expect(await ids(`CarePlan?${patient}&status=active`)).toEqual(expect.arrayContaining([record.carePlan.fhirId, record.plan.fhirId]));
    expect(await ids(`CarePlan?${patient}&category=treatment-plan`)).toEqual([record.plan.fhirId]);

    const seen: string[] = [];
    let url: string | null = `Observation?${patient}&_count=2&_sort=date`;
    while (url) {
      const page = await search(url.replace(/^.*\/api\/fhir\//, ""), { token });
      expect(page.status).toBe(200);
      seen.push(...resourcesOf(page.json).map((resource) => resource.id));
      url = nextLink(page.json);
    }
    expect(seen).toEqual([o2023, o2024a, o2024b]);

    const count = await search(`Observation?${patient}&_summary=count`, { token });
    expect(count.json).toMatchObject({ resourceType: "Bundle", type: "searchset", total: 3 });
    expect(count.json.entry).toBeUndefined();
    const subset = await search(`Observation?${patient}&_elements=code,status&_count=1`, { token });
    expect(Object.keys(resourcesOf(subset.json)[0]!).sort()).toEqual(["code", "id", "meta", "resourceType", "status"]);
    expectValidR4(subset.json);
  });

  it("answers bad input with a 400 OperationOutcome naming the parameter; unknown parameters per Prefer handling", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);

    const bad = async (path: string, headers?: Record<string, string>) => {
      const response = await search(path, { token, headers });
      expect(response.status, path).toBe(400);
      expect(response.json.resourceType).toBe("OperationOutcome");
      return (response.json.issue as { diagnostics: string; expression?: string[] }[])[0]!;
    };
    expect((await bad("Observation?date=ge2024-13-01")).expression).toEqual(["date"]);
    expect((await bad("Observation?_count=5000")).expression).toEqual(["_count"]);
    expect((await bad("Observation?_cursor=forged")).expression).toEqual(["_cursor"]);
    expect((await bad("Observation?colour=blue", { prefer: "handling=strict" })).expression).toEqual(["colour"]);
    expect((await bad("Patient?_format=xml")).expression).toEqual(["_format"]);
    expect((await bad("Goal?_format=csv")).expression).toEqual(["_format"]);
    const lenient = await search("Observation?colour=blue&_count=1", { token });
    expect(lenient.status).toBe(200);
    expect(nextLink(lenient.json) ?? "").not.toContain("colour");

    const unknownType = await search("Medication", { token });
    expect(unknownType.status).toBe(404);
    const anonymous = await search("Patient");
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.resourceType).toBe("OperationOutcome");
    expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("POST [type]/_search takes form-encoded parameters like GET; other bodies are 415, other POSTs 405", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const record = await createRecord();
    const form = `patient=Patient/${record.patient.fhirId}&date=ge2024-01-01&_sort=-date`;

    const posted = await searchByPost("Observation", form, { token });
    expect(posted.status).toBe(200);
    expectValidR4(posted.json);
    const got = await search(`Observation?${form}`, { token });
    expect(resourcesOf(posted.json).map((resource) => resource.id)).toEqual(resourcesOf(got.json).map((resource) => resource.id));
    expect(resourcesOf(posted.json).map((resource) => resource.id)).toEqual([record.observations[2]!.fhirId, record.observations[1]!.fhirId]);

    const asJson = await searchByPost("Observation", JSON.stringify({ patient: record.patient.fhirId }), { token, contentType: "application/json" });
    expect(asJson.status).toBe(415);
    expect(asJson.json.resourceType).toBe("OperationOutcome");
    const strict = await searchByPost("Observation", "colour=blue", { token, headers: { prefer: "handling=strict" } });
    expect(strict.status).toBe(400);
    expect((strict.json.issue as { expression?: string[] }[])[0]!.expression).toEqual(["colour"]);
    const notSearch = await call(POST_READ, { method: "POST", path: "/api/fhir/Observation/x", params: { type: "Observation", id: "x" }, rawBody: "{}", token, headers: { "content-type": "application/fhir+json" } });
    expect(notSearch.status).toBe(405);
    expect(notSearch.json.resourceType).toBe("OperationOutcome");
  });

  it("_include brings the page's patients and _revinclude a Patient page's resources (mode include), scoped like the page", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const token = await tokenFor(therapist.id);
    const mine = await createRecord();
    await createRecord();
    await assignPatient(therapist.id, mine.patient.id);

    const withPatients = await search(`Observation?_include=Observation:patient&_count=2`, { token });
    expect(withPatients.status).toBe(200);
    expectValidR4(withPatients.json);
    const entries = withPatients.json.entry as { resource: { resourceType: string; id: string }; search: { mode: string } }[];
    expect(entries.filter((entry) => entry.search.mode === "match")).toHaveLength(2);
    expect(entries.filter((entry) => entry.search.mode === "include").map((entry) => entry.resource.id)).toEqual([mine.patient.fhirId]);
    expect(nextLink(withPatients.json)).toContain("_include=Observation%3Apatient");

    const withResources = await search(`Patient?_revinclude=Observation:subject&_revinclude=Condition:patient`, { token });
    const included = (withResources.json.entry as { resource: { resourceType: string; id: string }; search: { mode: string } }[]).filter((entry) => entry.search.mode === "include");
    expect(included.map((entry) => entry.resource.id).sort()).toEqual([...mine.observations.map((observation) => observation.fhirId), mine.condition.fhirId].sort());
    expectValidR4(withResources.json);

    const lenient = await search(`Observation?_include=Observation:performer`, { token });
    expect(lenient.status).toBe(200);
    expect((lenient.json.entry as { search: { mode: string } }[]).every((entry) => entry.search.mode === "match")).toBe(true);
    const strict = await search(`Patient?_revinclude=Practitioner:patient`, { token, headers: { prefer: "handling=strict" } });
    expect(strict.status).toBe(400);
    expect((strict.json.issue as { expression?: string[] }[])[0]!.expression).toEqual(["_revinclude"]);
  });

  it("audits every read and search with parameter names only", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const record = await createRecord();
    await search(`Patient?family=${record.patient.familyName}`, { token });
    await read("Patient", record.patient.fhirId, { token });
    const searched = await prisma.exportAuditLog.findFirst({ where: { action: "fhir_searched", userId: admin.id }, orderBy: { seq: "desc" } });
    expect(searched?.metadata).toMatchObject({ resourceType: "Patient", parameters: ["family"], patients: 1, returned: 1, view: "identified" });
    expect(JSON.stringify(searched?.metadata)).not.toContain(record.patient.familyName);
    const readRecord = await prisma.exportAuditLog.findFirst({ where: { action: "fhir_read", userId: admin.id }, orderBy: { seq: "desc" } });
    expect(readRecord?.patientId).toBe(record.patient.id);
  });
});

describe("FHIR API: the de-identified view (analysts)", () => {
  it("serves pseudonymous ids equal to the datasets', no direct identifiers, dates per profile, the PSEUDED label", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(analyst.id);
    const record = await createRecord();
    const key = env().ANON_KEY;
    const patientPseudonym = pseudonymize(key, "patient", record.patient.id);

    const patient = await read("Patient", patientPseudonym, { token });
    expect(patient.status).toBe(200);
    expectValidR4(patient.json);
    expect(patient.json).toMatchObject({ resourceType: "Patient", id: patientPseudonym, birthDate: "1985", gender: "female", meta: { security: [{ code: "PSEUDED" }] } });
    const text = patient.text;
    for (const secret of [record.patient.familyName, record.patient.mrn!, record.patient.email!, "12 Elm Street", "Springfield", record.patient.fhirId, record.patient.id, "555-201-3344"]) expect(text).not.toContain(secret);
    expect(patient.json.address).toEqual([{ state: "IL", postalCode: "627XX" }]);

    const observations = await search(`Observation?patient=Patient/${patientPseudonym}&date=ge2024`, { token });
    expect(observations.status).toBe(200);
    expectValidR4(observations.json);
    const served = resourcesOf(observations.json);
    expect(served.map((resource) => resource.id)).toEqual(record.observations.slice(1).map((observation) => pseudonymize(key, "observation", observation.id)));
    expect(served[0]).toMatchObject({ subject: { reference: `Patient/${patientPseudonym}` }, encounter: { reference: `Encounter/${pseudonymize(key, "encounter", record.encounter.id)}` }, effectiveDateTime: "2024" });
    expect(served[0]!.meta).toEqual({ security: [expect.objectContaining({ code: "PSEUDED" })] });

    const encounter = resourcesOf((await search(`Encounter?patient=${patientPseudonym}`, { token })).json)[0]!;
    expect(encounter.reasonCode).toEqual([{ text: "Follow-up; call [REDACTED]" }]);
    expect(encounter.participant).toEqual([{ individual: { reference: `Practitioner/${pseudonymize(key, "practitioner", record.practitioner.id)}` } }]);
    const response = resourcesOf((await search(`QuestionnaireResponse?patient=${patientPseudonym}`, { token })).json)[0]!;
    expect(JSON.stringify(response)).not.toContain(record.patient.familyName);
    expect(JSON.stringify(response)).toContain('"valueInteger":2');

    const fine = await search(`Observation?patient=${patientPseudonym}&date=ge2024-03-01`, { token });
    expect(fine.status).toBe(400);
    const byName = await search(`Patient?family=${record.patient.familyName}`, { token });
    expect(byName.status).toBe(400);
    const notes = await search("DocumentReference", { token });
    expect(notes.status).toBe(403);
    const notesAlong = await search(`Patient?_id=${patientPseudonym}&_revinclude=DocumentReference:patient`, { token });
    expect(notesAlong.status).toBe(403);
    const along = await search(`Patient?_id=${patientPseudonym}&_revinclude=Observation:patient&_revinclude=Encounter:patient`, { token });
    expect(along.status).toBe(200);
    expectValidR4(along.json);
    const alongResources = resourcesOf(along.json);
    expect(alongResources).toHaveLength(1 + 3 + 1);
    // No narrative in the de-identified view, and every resource labelled.
    for (const resource of alongResources) {
      expect(resource.text, resource.resourceType).toBeUndefined();
      expect((resource.meta as { security?: { code: string }[] }).security?.map((label) => label.code)).toEqual(["PSEUDED"]);
    }
    for (const secret of [record.patient.familyName, record.patient.fhirId, record.encounter.fhirId]) expect(along.text).not.toContain(secret);
    const realId = await read("Patient", record.patient.fhirId, { token });
    expect(realId.status).toBe(404);
  });

  it("_format=csv gives the dataset table's columns and policies for the page", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const { user: admin } = await createUser({ role: "ADMIN" });
    const record = await createRecord({ familyName: "=HYPERLINK(1)" });
    const key = env().ANON_KEY;
    const pseudonym = pseudonymize(key, "patient", record.patient.id);

    const masked = await search(`Observation?patient=${pseudonym}&_format=csv`, { token: await tokenFor(analyst.id) });
    expect(masked.status).toBe(200);
    expect(masked.headers.get("content-type")).toContain("text/csv");
    const [header, first] = masked.text.split("\r\n");
    expect(header).toBe("observation_id,patient_id,encounter_id,code_system,code,display,category,value_number,value_string,unit,status,effective_date");
    expect(first).toBe(`${pseudonymize(key, "observation", record.observations[0]!.id)},${pseudonym},${pseudonymize(key, "encounter", record.encounter.id)},,44261-6,PHQ-9 total score,survey,10,,{score},final,2023`);

    const identified = await search(`Patient?_id=${record.patient.fhirId}&_format=csv`, { token: await tokenFor(admin.id) });
    const lines = identified.text.split("\r\n");
    expect(lines[0]).toContain("patient_id,fhir_id,mrn");
    expect(lines[1]).toContain("'=HYPERLINK(1)");
  });

  it("withholds a de-identified page in which the release scan finds a patient's identifier: a logged, audited 500", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const record = await createRecord({ familyName: "Quillfeather" });
    // A column kept as is ("display") that someone filled with the patient's name.
    await prisma.observation.update({ where: { id: record.observations[0]!.id }, data: { display: "Score for Quillfeather" } });
    const pseudonym = pseudonymize(env().ANON_KEY, "patient", record.patient.id);

    const refused = await search(`Observation?patient=${pseudonym}`, { token: await tokenFor(analyst.id) });
    expect(refused.status).toBe(500);
    expect(refused.json.resourceType).toBe("OperationOutcome");
    expect(refused.text).not.toContain("Quillfeather");
    const audit = await prisma.exportAuditLog.findFirst({ where: { action: "fhir_release_refused", userId: analyst.id } });
    expect(audit).toMatchObject({ outcome: "failure", patientId: record.patient.id });
  });
});
