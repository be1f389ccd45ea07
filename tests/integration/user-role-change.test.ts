// A role change takes away what belonged to the old role.
import { describe, expect, it } from "vitest";

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
