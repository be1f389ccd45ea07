// Small builders for integration tests: users, actors, patients, tokens.
import { randomBytes } from "node:crypto";

import type { TActor, TRole } from "@/lib/auth/policy";
import { hashPassword } from "@/lib/auth/password";
import { prisma } from "@/lib/db/client";

const unique = () => randomBytes(4).toString("hex");

export async function createUser(options: { role: TRole; password?: string; piiAccess?: boolean; email?: string; name?: string }) {
  const email = options.email ?? `${options.role.toLowerCase()}-${unique()}@test.careexport.local`;
  const user = await prisma.user.create({
    data: {
      email,
      name: options.name ?? `Test ${options.role.toLowerCase()}`,
      role: options.role,
      piiAccess: options.piiAccess ?? false,
      passwordHash: options.password ? await hashPassword(options.password) : null,
      credentials: options.role === "THERAPIST" ? "LCSW" : null,
      npi: options.role === "THERAPIST" ? "1234567893" : null,
    },
  });
  const actor: TActor = { id: user.id, email: user.email, name: user.name, role: user.role, piiAccess: user.piiAccess };

  return { user, actor };
}

export async function createPatient(overrides: Partial<{ givenName: string; familyName: string; birthDate: string }> = {}) {
  const id = unique();

  return prisma.patient.create({
    data: {
      fhirId: `test-patient-${id}`,
      givenName: overrides.givenName ?? "Avery",
      familyName: overrides.familyName ?? `Testperson${id}`,
      birthDate: overrides.birthDate ?? "1985-04-12",
      gender: "female",
      mrn: `MRN${id}`,
      phone: "555-201-3344",
      email: `avery.${id}@example.org`,
      addressLine: "12 Elm Street",
      city: "Springfield",
      state: "IL",
      postalCode: "62704",
      raw: { resourceType: "Patient", id: `test-patient-${id}` },
    },
  });
}

export async function assignPatient(userId: string, patientId: string) {
  return prisma.patientAssignment.create({ data: { userId, patientId } });
}
