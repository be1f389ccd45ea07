// Test data for report integration tests: one patient with a plan, goals, diagnoses, sessions with
// notes (seen and written by one clinician), PHQ-9 scores, an observation and a referral. Fictional throughout.
import { randomBytes } from "node:crypto";

import { prisma } from "@/lib/db/client";

export async function seedReportPatient(options: { assignedTo?: string | null } = {}) {
  const tag = randomBytes(4).toString("hex");
  const patient = await prisma.patient.create({
    data: {
      fhirId: `rp-${tag}`,
      givenName: "Morgan",
      familyName: `Reportson${tag}`,
      birthDate: "1980-06-15",
      gender: "female",
      mrn: `MRN-${tag}`,
      insurancePayer: "Acme Health",
      insuranceMemberId: `MEM${tag}`,
      phone: "555-100-2000",
      email: `morgan.${tag}@example.org`,
      addressLine: "1 Oak Lane",
      city: "Springfield",
      state: "IL",
      postalCode: "62704",
      emergencyContactName: "Jordan Keller",
      raw: {},
    },
  });
  if (options.assignedTo) await prisma.patientAssignment.create({ data: { userId: options.assignedTo, patientId: patient.id } });
  const practitioner = await prisma.practitioner.create({
    data: { fhirId: `pr-${tag}`, givenName: "Dana", familyName: "Whitfield", credentials: "LCSW", npi: "1234567893", raw: {} },
  });

  await prisma.condition.create({ data: { fhirId: `c-${tag}`, patientId: patient.id, icd10Code: "F33.1", display: "Major depressive disorder, recurrent, moderate", clinicalStatus: "active", onsetDate: "2025-11-02", raw: {} } });
  const plan = await prisma.treatmentPlan.create({
    data: { fhirId: `tp-${tag}`, patientId: patient.id, title: "Depression treatment plan", status: "active", startDate: "2025-12-01", interventions: ["CBT", "Behavioral activation"], raw: {} },
  });
  await prisma.goal.create({
    data: { fhirId: `g-${tag}`, patientId: patient.id, treatmentPlanId: plan.id, description: "Reduce depressive symptoms", measure: "PHQ-9", baselineValue: 18, targetValue: 5, currentValue: 9, progressPercent: 69.2, lifecycleStatus: "active", achievementStatus: "improving", raw: {} },
  });

  const sessions: { id: string; noteId: string }[] = [];
  const dates = ["2026-01-05", "2026-01-19", "2026-02-02", "2026-03-16"];
  for (const [index, date] of dates.entries()) {
    const encounter = await prisma.encounter.create({
      data: {
        fhirId: `e-${tag}-${index}`,
        patientId: patient.id,
        practitionerId: practitioner.id,
        status: "finished",
        deliveryFormat: index % 2 ? "telehealth" : "in-person",
        cptCode: "90837",
        cptDisplay: "Psychotherapy, 60 minutes",
        units: 1,
        startAt: new Date(`${date}T15:00:00Z`),
        endAt: new Date(`${date}T16:00:00Z`),
        reasonText: index === 0 ? "Low mood and poor sleep" : null,
        raw: {},
      },
    });
    const note = await prisma.sessionNote.create({
      data: {
        fhirId: `n-${tag}-${index}`,
        patientId: patient.id,
        encounterId: encounter.id,
        practitionerId: practitioner.id,
        noteDate: encounter.startAt,
        status: "final",
        subjective: `=HYPERLINK("x") Session ${index + 1}: reports low mood; sister Jordan called from 555-867-5309, jordan@example.net`,
        objective: "Flat affect",
        assessment: "Improving",
        plan: "Continue CBT weekly",
        transcript: `TRANSCRIPT-${index + 1}`,
        aiNotes: `AI-NOTE-${index + 1}`,
        actionItems: ["Walk daily"],
        raw: {},
      },
    });
    sessions.push({ id: encounter.id, noteId: note.id });
  }
  for (const [index, [date, score, severity]] of ([["2026-01-05", 18, "moderately severe"], ["2026-02-02", 12, "moderate"], ["2026-03-16", 9, "mild"]] as const).entries()) {
    await prisma.questionnaireResponse.create({
      data: { fhirId: `q-${tag}-${index}`, patientId: patient.id, questionnaire: "phq-9", status: "completed", authoredAt: new Date(`${date}T15:30:00Z`), totalScore: score, severity, items: [], raw: {} },
    });
  }
  await prisma.observation.create({ data: { fhirId: `o-${tag}`, patientId: patient.id, code: "72166-2", display: "Tobacco smoking status", valueString: "Never smoker", status: "final", effectiveAt: new Date("2026-01-05T15:00:00Z"), raw: {} } });
  await prisma.carePlan.create({ data: { fhirId: `k-${tag}`, patientId: patient.id, title: "Peer support group", category: "referral", status: "accepted", startDate: "2026-01-20", raw: {} } });

  return { patient, plan, sessions, practitioner };
}
