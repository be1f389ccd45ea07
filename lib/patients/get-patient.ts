import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { isPatientAssigned } from "@/lib/patients/patient-scope";

/**
 * Looks a patient up for an actor. Missing and not-assigned give the same 404, so ids
 * cannot be probed; the refusal is audited.
 */
export async function getPatientOrThrow(actor: TActor, patientId: string, meta?: TRequestMeta | null) {
  const exists = await prisma.patient.findUnique({ where: { id: patientId }, select: { id: true } });
  const isAssigned = exists ? await isPatientAssigned(prisma, actor, patientId) : false;
  await authorize(actor, { action: "patient.read", isAssigned }, { meta, patientId: exists ? patientId : null });
  if (!exists) throw new AppError("NOT_FOUND", "Not found");

  return patientId;
}

/** The patient with encounters, goals, conditions and latest assessments, for page and API. */
export async function getPatientDetail(actor: TActor, patientId: string, meta?: TRequestMeta | null) {
  await getPatientOrThrow(actor, patientId, meta);
  const patient = await prisma.patient.findUniqueOrThrow({
    where: { id: patientId },
    select: {
      id: true, fhirId: true, givenName: true, middleName: true, familyName: true, preferredName: true, birthDate: true, gender: true,
      mrn: true, phone: true, mobilePhone: true, email: true, addressLine: true, city: true, state: true, postalCode: true,
      insurancePayer: true, insuranceMemberId: true, language: true,
      encounters: {
        orderBy: { startAt: "desc" },
        select: { id: true, fhirId: true, startAt: true, endAt: true, status: true, deliveryFormat: true, cptCode: true, cptDisplay: true, practitioner: { select: { givenName: true, familyName: true, credentials: true } }, _count: { select: { sessionNotes: true } } },
      },
      goals: { orderBy: { createdAt: "asc" }, select: { id: true, description: true, measure: true, unit: true, baselineValue: true, targetValue: true, currentValue: true, progressPercent: true, lifecycleStatus: true, achievementStatus: true, targetDate: true } },
      conditions: { orderBy: { recordedDate: "desc" }, select: { id: true, icd10Code: true, display: true, clinicalStatus: true, onsetDate: true } },
      treatmentPlans: { select: { id: true, title: true, status: true, startDate: true, endDate: true } },
      questionnaireResponses: {
        where: { totalScore: { not: null } },
        orderBy: { authoredAt: "desc" },
        take: 12,
        select: { id: true, questionnaire: true, authoredAt: true, totalScore: true, severity: true },
      },
    },
  });
  await recordAudit(null, { action: "patient_viewed", userId: actor.id, patientId, meta });

  return {
    id: patient.id,
    fhir_id: patient.fhirId,
    name: `${patient.givenName} ${patient.familyName}`,
    given_name: patient.givenName,
    middle_name: patient.middleName,
    family_name: patient.familyName,
    preferred_name: patient.preferredName,
    birth_date: patient.birthDate,
    gender: patient.gender,
    mrn: patient.mrn,
    phone: patient.phone ?? patient.mobilePhone,
    email: patient.email,
    address: [patient.addressLine, patient.city, patient.state, patient.postalCode].filter(Boolean).join(", "),
    insurance: { payer: patient.insurancePayer, member_id: patient.insuranceMemberId },
    language: patient.language,
    encounters: patient.encounters.map((e) => ({
      id: e.id,
      fhir_id: e.fhirId,
      start: e.startAt.toISOString(),
      end: e.endAt?.toISOString() ?? null,
      status: e.status,
      delivery_format: e.deliveryFormat,
      cpt_code: e.cptCode,
      cpt_display: e.cptDisplay,
      practitioner: e.practitioner ? `${e.practitioner.givenName} ${e.practitioner.familyName}${e.practitioner.credentials ? `, ${e.practitioner.credentials}` : ""}` : null,
      has_note: e._count.sessionNotes > 0,
    })),
    goals: patient.goals.map((g) => ({
      id: g.id, description: g.description, measure: g.measure, unit: g.unit, baseline: g.baselineValue, target: g.targetValue, current: g.currentValue,
      progress_percent: g.progressPercent, status: g.lifecycleStatus, achievement: g.achievementStatus, target_date: g.targetDate,
    })),
    conditions: patient.conditions.map((c) => ({ id: c.id, code: c.icd10Code, display: c.display, status: c.clinicalStatus, onset: c.onsetDate })),
    treatment_plans: patient.treatmentPlans.map((t) => ({ id: t.id, title: t.title, status: t.status, start: t.startDate, end: t.endDate })),
    latest_assessments: patient.questionnaireResponses.map((q) => ({ id: q.id, instrument: q.questionnaire, date: q.authoredAt.toISOString(), score: q.totalScore, severity: q.severity })),
  };
}
export type TPatientDetail = Awaited<ReturnType<typeof getPatientDetail>>;
