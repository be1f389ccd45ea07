import { describe, expect, it } from "vitest";

import { verifyCredentials } from "@/lib/auth/login";
import { prisma } from "@/lib/db/client";
import { DEMO_OPTED_BACK_IN_PATIENT, DEMO_OPTED_OUT_PATIENTS } from "@/lib/demo/build-consents";
import { DEMO_COUNTS } from "@/lib/demo/demo-model";
import { DEMO_USERS } from "@/lib/demo/demo-users";
import { seedDemo } from "@/lib/demo/seed-demo";

describe("demo seed", () => {
  it("loads the whole programme through the importer, with demo users and caseloads, idempotently", async () => {
    const first = await seedDemo();
    expect(first.users).toBe(4);
    expect(await prisma.organization.count()).toBe(DEMO_COUNTS.Organization);
    expect(await prisma.location.count()).toBe(DEMO_COUNTS.Location);
    expect(await prisma.practitioner.count()).toBe(DEMO_COUNTS.Practitioner);
    expect(await prisma.patient.count()).toBe(DEMO_COUNTS.Patient);
    expect(await prisma.encounter.count()).toBe(DEMO_COUNTS.Encounter);
    expect(await prisma.sessionNote.count()).toBe(DEMO_COUNTS.DocumentReference);
    expect(await prisma.questionnaireResponse.count()).toBe(DEMO_COUNTS.QuestionnaireResponse);
    expect((await prisma.treatmentPlan.count()) + (await prisma.carePlan.count())).toBe(DEMO_COUNTS.CarePlan);
    expect(await prisma.goal.count({ where: { progressPercent: { not: null } } })).toBeGreaterThan(300);
    expect(await prisma.sessionNote.count({ where: { encounterId: null } })).toBe(0);
    // A few opt-outs (one more patient opted out and back in: sharing now).
    expect(await prisma.patient.count({ where: { dataSharingOptOut: true } })).toBe(DEMO_OPTED_OUT_PATIENTS.length);
    expect(await prisma.consent.count()).toBe(DEMO_OPTED_OUT_PATIENTS.length + 2);
    const returning = await prisma.consent.findMany({ where: { fhirId: { startsWith: `consent-${String(DEMO_OPTED_BACK_IN_PATIENT).padStart(4, "0")}-` } }, select: { optOut: true, patient: { select: { dataSharingOptOut: true } } } });
    expect(returning.map((consent) => consent.optOut).sort()).toEqual([false, true]);
    expect(returning[0]!.patient.dataSharingOptOut).toBe(false);

    const therapist = await prisma.user.findUniqueOrThrow({ where: { email: DEMO_USERS.therapist.email }, include: { assignments: true } });
    const therapist2 = await prisma.user.findUniqueOrThrow({ where: { email: DEMO_USERS.therapist2.email }, include: { assignments: true } });
    expect(therapist.assignments.length).toBeGreaterThan(10);
    expect(therapist2.assignments.length).toBeGreaterThan(10);
    const overlap = therapist.assignments.filter((a) => therapist2.assignments.some((b) => b.patientId === a.patientId));
    expect(overlap).toHaveLength(0);

    const signIn = await verifyCredentials(DEMO_USERS.analyst.email, DEMO_USERS.analyst.password, { ipAddress: null, userAgent: "vitest", via: "test" });
    expect(signIn.ok).toBe(true);

    const second = await seedDemo();
    expect(second).toMatchObject({ users: 0, assignments: 0 });
    expect(await prisma.patient.count()).toBe(DEMO_COUNTS.Patient);
  }, 180_000);
});
