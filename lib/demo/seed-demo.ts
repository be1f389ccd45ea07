// Loads the demo programme: the generated FHIR bundle through the real importer, then the
// demo sign-ins (linked to their practitioners) and each therapist's caseload. Only `npm run
// dev` on an empty database, `npm run cli -- seed:demo` and the e2e set-up call this.
import { recordAudit } from "@/lib/audit/record";
import { hashPassword } from "@/lib/auth/password";
import { prisma } from "@/lib/db/client";
import { importFhir } from "@/lib/fhir/import/import-fhir";

import { generateDemoBundle } from "./generate-demo";
import { DEMO_USERS } from "./demo-users";

export type TSeedDemoResult = { resources: number; users: number; assignments: number };

export async function seedDemo(): Promise<TSeedDemoResult> {
  const bundle = generateDemoBundle();
  const imported = await importFhir(JSON.stringify(bundle), { actorLabel: "demo-seed", source: { kind: "demo", label: "demo-seed" } });

  let users = 0;
  let assignments = 0;
  for (const demoUser of Object.values(DEMO_USERS)) {
    const practitioner = demoUser.practitionerFhirId ? await prisma.practitioner.findUnique({ where: { fhirId: demoUser.practitionerFhirId } }) : null;
    const existing = await prisma.user.findUnique({ where: { email: demoUser.email }, select: { id: true } });
    const user =
      existing ??
      (await prisma.user.create({
        data: {
          email: demoUser.email,
          name: demoUser.name,
          role: demoUser.role,
          passwordHash: await hashPassword(demoUser.password),
          practitionerId: practitioner?.id ?? null,
          credentials: practitioner?.credentials ?? null,
          npi: practitioner?.npi ?? null,
        },
        select: { id: true },
      }));
    if (!existing) {
      users += 1;
      await recordAudit(null, { action: "user_created", actorLabel: "demo-seed", metadata: { userId: user.id, role: demoUser.role, via: "demo-seed" } });
    }
    if (!practitioner) continue;

    // A therapist's caseload: the patients whose general practitioner they are.
    const caseload = await prisma.patient.findMany({ where: { generalPractitionerId: practitioner.id }, select: { id: true } });
    const already = new Set((await prisma.patientAssignment.findMany({ where: { userId: user.id }, select: { patientId: true } })).map((row) => row.patientId));
    const missing = caseload.filter((patient) => !already.has(patient.id));
    if (missing.length) {
      await prisma.patientAssignment.createMany({ data: missing.map((patient) => ({ userId: user.id, patientId: patient.id })) });
      assignments += missing.length;
      await recordAudit(null, { action: "assignment_changed", actorLabel: "demo-seed", metadata: { therapistId: user.id, assigned: missing.length } });
    }
  }

  return { resources: imported.total, users, assignments };
}
