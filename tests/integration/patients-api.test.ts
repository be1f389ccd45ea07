import { describe, expect, it } from "vitest";

import { GET as getPatientRoute } from "@/app/api/v1/patients/[id]/route";
import { GET as listPatientsRoute } from "@/app/api/v1/patients/route";
import { prisma } from "@/lib/db/client";

import { assignPatient, createPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

describe("patients API", () => {
  it("lists only a therapist's assigned patients, all for admins, 403 for analysts", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const mine = await createPatient({ givenName: "Mina" });
    const theirs = await createPatient({ givenName: "Theo" });
    await assignPatient(therapist.id, mine.id);

    const therapistList = await call(listPatientsRoute, { path: "/api/v1/patients", token: await tokenFor(therapist.id) });
    expect(therapistList.status).toBe(200);
    expect((therapistList.json.patients as { id: string }[]).map((p) => p.id)).toEqual([mine.id]);

    const adminList = await call(listPatientsRoute, { path: "/api/v1/patients?page_size=200", token: await tokenFor(admin.id) });
    const adminIds = (adminList.json.patients as { id: string }[]).map((p) => p.id);
    expect(adminIds).toEqual(expect.arrayContaining([mine.id, theirs.id]));

    const analystList = await call(listPatientsRoute, { path: "/api/v1/patients", token: await tokenFor(analyst.id) });
    expect(analystList.status).toBe(403);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: analyst.id } })).toBe(1);
  });

  it("searches case-insensitively and pages", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const target = await createPatient({ givenName: "Zebulon", familyName: "Quartermaine" });
    const found = await call(listPatientsRoute, { path: "/api/v1/patients?q=quarterMAINE", token });
    expect((found.json.patients as { id: string }[]).map((p) => p.id)).toContain(target.id);
    const lower = await call(listPatientsRoute, { path: "/api/v1/patients?q=zebulon", token });
    expect((lower.json.patients as { id: string }[]).map((p) => p.id)).toContain(target.id);

    const bad = await call(listPatientsRoute, { path: "/api/v1/patients?page_size=5000", token });
    expect(bad.status).toBe(400);
    expect(bad.json.issues).toEqual([{ path: "page_size", message: "must be at most 200" }]);
  });

  it("finds a patient by full name in either order, by name and MRN, every word counting", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const { user: admin } = await createUser({ role: "ADMIN" });
    const target = await createPatient({ givenName: "Mohammed", familyName: "Jacksonfull" });
    const namesake = await createPatient({ givenName: "Mohammed", familyName: "Otherfull" });
    await assignPatient(therapist.id, target.id);
    await assignPatient(therapist.id, namesake.id);
    const ids = async (q: string, userId = therapist.id, extra = "") =>
      ((await call(listPatientsRoute, { path: `/api/v1/patients?q=${encodeURIComponent(q)}${extra}`, token: await tokenFor(userId) })).json.patients as { id: string }[]).map((p) => p.id);

    expect(await ids("Mohammed Jacksonfull")).toEqual([target.id]);
    expect(await ids("jacksonfull MOHAMMED")).toEqual([target.id]);
    expect(await ids("Jacksonfull, Mo")).toEqual([target.id]);
    expect(await ids(`${target.mrn} mohammed`)).toEqual([target.id]);
    expect(await ids("Mohammed")).toEqual(expect.arrayContaining([target.id, namesake.id]));
    // Every word must match: a wrong family name finds nobody.
    expect(await ids("Mohammed Nobodyfull")).toEqual([]);
    // The admin's assignment picker searches the same way.
    const { user: other } = await createUser({ role: "THERAPIST" });
    expect(await ids("Mohammed Jacksonfull", admin.id, `&not_assigned_to=${other.id}`)).toEqual([target.id]);
    expect(await ids("Mohammed Jacksonfull", admin.id, `&not_assigned_to=${therapist.id}`)).toEqual([]);
  });

  it("sorts a caseload by name, last session and next review, server-side across pages", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const token = await tokenFor(therapist.id);
    const [ann, bob, cy] = [await createPatient({ givenName: "Ann", familyName: "Asort" }), await createPatient({ givenName: "Bob", familyName: "Bsort" }), await createPatient({ givenName: "Cy", familyName: "Csort" })];
    for (const patient of [ann, bob, cy]) await assignPatient(therapist.id, patient.id);
    const encounter = (patientId: string, day: string) =>
      prisma.encounter.create({ data: { fhirId: `enc-${patientId}-${day}`, patientId, status: "finished", startAt: new Date(`${day}T10:00:00Z`), endAt: new Date(`${day}T11:00:00Z`), raw: {} } });
    await encounter(ann.id, "2026-01-10");
    await encounter(ann.id, "2026-05-01");
    await encounter(cy.id, "2026-03-03");
    // Next review: the active plan's end, or an open goal's target date, whichever comes first.
    await prisma.treatmentPlan.create({ data: { fhirId: `tp-${bob.id}`, patientId: bob.id, title: "Plan", status: "active", startDate: "2026-01-01", endDate: "2026-07-01", raw: {} } });
    await prisma.goal.create({ data: { fhirId: `g-${bob.id}`, patientId: bob.id, description: "Goal", lifecycleStatus: "active", targetDate: "2026-06-15", raw: {} } });
    await prisma.treatmentPlan.create({ data: { fhirId: `tp-${cy.id}`, patientId: cy.id, title: "Plan", status: "active", startDate: "2026-01-01", endDate: "2026-02-01", raw: {} } });
    await prisma.goal.create({ data: { fhirId: `g-${ann.id}`, patientId: ann.id, description: "Done goal", lifecycleStatus: "completed", targetDate: "2026-01-01", raw: {} } });

    const list = async (query: string) => (await call(listPatientsRoute, { path: `/api/v1/patients?${query}`, token })).json as { patients: { name: string; last_encounter_at: string | null; next_review: string | null }[] };
    const names = async (query: string) => (await list(query)).patients.map((p) => p.name.split(" ")[0]);

    expect(await names("sort=name")).toEqual(["Ann", "Bob", "Cy"]);
    expect(await names("sort=name&order=desc")).toEqual(["Cy", "Bob", "Ann"]);
    // Patients without a session come last either way.
    expect(await names("sort=last_session&order=desc")).toEqual(["Ann", "Cy", "Bob"]);
    expect(await names("sort=last_session&order=asc")).toEqual(["Cy", "Ann", "Bob"]);
    expect(await names("sort=next_review")).toEqual(["Cy", "Bob", "Ann"]);
    // Paged after sorting, not sorted within a page.
    expect(await names("sort=next_review&page_size=1&page=2")).toEqual(["Bob"]);
    const bobRow = (await list("sort=next_review")).patients[1]!;
    expect(bobRow.next_review).toBe("2026-06-15");
    expect((await list("sort=last_session&order=desc")).patients[0]!.last_encounter_at).toBe("2026-05-01T10:00:00.000Z");

    const bad = await call(listPatientsRoute, { path: "/api/v1/patients?sort=age", token });
    expect(bad.status).toBe(400);
    expect(bad.json.issues).toEqual([{ path: "sort", message: "must be name, last_session or next_review" }]);
  });

  it("leaves out the patients already assigned to a therapist (the admin's assignment picker)", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const [assigned, free] = [await createPatient({ familyName: "Pemberton-Assigned" }), await createPatient({ familyName: "Pemberton-Free" })];
    await assignPatient(therapist.id, assigned.id);
    const listed = await call(listPatientsRoute, { path: `/api/v1/patients?q=pemberton&not_assigned_to=${therapist.id}`, token: await tokenFor(admin.id) });
    expect((listed.json.patients as { id: string }[]).map((p) => p.id)).toEqual([free.id]);
    expect(listed.json.total).toBe(1);
  });

  it("keeps not_assigned_to an admin's filter: a therapist asking about another therapist's caseload gets a 403 naming it", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const { user: other } = await createUser({ role: "THERAPIST" });
    const shared = await createPatient({ familyName: "Shared-Caseload" });
    await assignPatient(therapist.id, shared.id);
    await assignPatient(other.id, shared.id);
    const refused = await call(listPatientsRoute, { path: `/api/v1/patients?not_assigned_to=${other.id}`, token: await tokenFor(therapist.id) });
    expect(refused.status).toBe(403);
    expect(refused.json.issues).toEqual([{ path: "not_assigned_to", message: "only admins filter by another user's assignments" }]);
    expect(refused.text).not.toContain(shared.id);
  });

  it("gives a foreign patient the same 404 as a missing one, and audits the denial", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const foreign = await createPatient();
    const token = await tokenFor(therapist.id);
    const a = await call(getPatientRoute, { path: `/api/v1/patients/${foreign.id}`, token, params: { id: foreign.id } });
    const b = await call(getPatientRoute, { path: "/api/v1/patients/nope", token, params: { id: "nope" } });
    expect(a.status).toBe(404);
    expect(b.status).toBe(404);
    expect({ ...a.json, request_id: null }).toEqual({ ...b.json, request_id: null });
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: therapist.id, patientId: foreign.id } })).toBe(1);
  });

  it("returns an assigned patient's detail and audits the view", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const patient = await createPatient({ givenName: "Rosa" });
    await assignPatient(therapist.id, patient.id);
    const detail = await call(getPatientRoute, { path: `/api/v1/patients/${patient.id}`, token: await tokenFor(therapist.id), params: { id: patient.id } });
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({ id: patient.id, given_name: "Rosa", encounters: [], goals: [], conditions: [], latest_assessments: [] });
    expect(await prisma.exportAuditLog.count({ where: { action: "patient_viewed", patientId: patient.id } })).toBe(1);
  });
});
