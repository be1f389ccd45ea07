// A role change takes away what belonged to the old role.
import { describe, expect, it } from "vitest";

import { POST as moveCaseloadRoute } from "@/app/api/v1/admin/users/[id]/caseload/route";
import { PATCH as patchUserRoute } from "@/app/api/v1/admin/users/[id]/route";
import { prisma } from "@/lib/db/client";

import { createPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

describe("changing a therapist's role", () => {
  it("removes their patient assignments, each audited, so making them a therapist again gives no access back", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const patients = [await createPatient(), await createPatient()];
    await prisma.patientAssignment.createMany({ data: patients.map((patient) => ({ userId: therapist.id, patientId: patient.id })) });

    const moved = await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${therapist.id}`, token, params: { id: therapist.id }, body: { role: "analyst" } });
    expect(moved.status).toBe(200);
    expect(await prisma.patientAssignment.count({ where: { userId: therapist.id } })).toBe(0);
    const records = await prisma.exportAuditLog.findMany({ where: { action: "assignment_changed", userId: admin.id } });
    expect(records.map((record) => record.patientId).sort()).toEqual(patients.map((patient) => patient.id).sort());
    expect(records[0]!.metadata).toMatchObject({ therapistId: therapist.id, isAssigned: false, reason: "role changed" });

    await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${therapist.id}`, token, params: { id: therapist.id }, body: { role: "therapist" } });
    expect(await prisma.patientAssignment.count({ where: { userId: therapist.id } })).toBe(0);
  });

  it("keeps the assignments when the role stays", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const patient = await createPatient();
    await prisma.patientAssignment.create({ data: { userId: therapist.id, patientId: patient.id } });
    const renamed = await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${therapist.id}`, token: await tokenFor(admin.id), params: { id: therapist.id }, body: { name: "Dr. Renamed", role: "therapist" } });
    expect(renamed.status).toBe(200);
    expect(await prisma.patientAssignment.count({ where: { userId: therapist.id } })).toBe(1);
  });
});

describe("moving a therapist's caseload", () => {
  it("moves every patient to the other therapist in one step, each change audited, and refuses a non-therapist", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const { user: leaving } = await createUser({ role: "THERAPIST" });
    const { user: taking } = await createUser({ role: "THERAPIST" });
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const patients = [await createPatient(), await createPatient(), await createPatient()];
    await prisma.patientAssignment.createMany({ data: patients.map((patient) => ({ userId: leaving.id, patientId: patient.id })) });
    // One patient is already shared with the receiving therapist.
    await prisma.patientAssignment.create({ data: { userId: taking.id, patientId: patients[0]!.id } });
    const move = (to: string, from = leaving.id) => call(moveCaseloadRoute, { method: "POST", path: `/api/v1/admin/users/${from}/caseload`, token, params: { id: from }, body: { to_user_id: to } });

    const refused = await move(analyst.id);
    expect(refused.status).toBe(400);
    expect(refused.json.issues).toEqual([{ path: "to_user_id", message: "is not a therapist" }]);
    expect(await prisma.patientAssignment.count({ where: { userId: leaving.id } })).toBe(3);

    const moved = await move(taking.id);
    expect(moved.status).toBe(200);
    expect(moved.json).toEqual({ moved: 3, already_assigned: 1 });
    expect(await prisma.patientAssignment.count({ where: { userId: leaving.id } })).toBe(0);
    expect((await prisma.patientAssignment.findMany({ where: { userId: taking.id } })).map((row) => row.patientId).sort()).toEqual(patients.map((p) => p.id).sort());
    const records = await prisma.exportAuditLog.findMany({ where: { action: "assignment_changed", userId: admin.id } });
    expect(records).toHaveLength(5);
    expect(records.filter((record) => (record.metadata as { isAssigned: boolean }).isAssigned)).toHaveLength(2);

    // A therapist cannot do it.
    const therapistTry = await call(moveCaseloadRoute, { method: "POST", path: `/api/v1/admin/users/${taking.id}/caseload`, token: await tokenFor(taking.id), params: { id: taking.id }, body: { to_user_id: leaving.id } });
    expect(therapistTry.status).toBe(403);
  });
});
