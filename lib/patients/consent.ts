// Patients' data-sharing consent: the Consent rows (imported or an admin's decision) and the
// patient's `dataSharingOptOut` flag that every export reads. The flag follows the latest active
// Consent; it is recomputed here after any Consent is written, in the same transaction.
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma, type TDb, type TTx } from "@/lib/db/client";
import { AppError, invalidInput } from "@/lib/errors/app-error";
import { newRowId } from "@/lib/fhir/import/plan-import";
import { portalConsentResource } from "@/lib/patients/consent-provision";

const LOOKUP_CHUNK = 5_000;
export const CONSENT_REASON_MIN_LENGTH = 5;
export const CONSENT_REASON_MAX_LENGTH = 500;

/** Sets each patient's flag from their latest active Consent (none: not opted out). */
export async function refreshDataSharingOptOut(tx: TTx, patientIds: Iterable<string>) {
  for (const patientId of new Set(patientIds)) {
    const latest = await tx.consent.findFirst({ where: { patientId, status: "active" }, orderBy: [{ decidedAt: "desc" }, { createdAt: "desc" }, { id: "desc" }], select: { optOut: true } });
    // updateMany: no updatedAt bump when nothing changes, so incremental reads do not see a false change.
    await tx.patient.updateMany({ where: { id: patientId, dataSharingOptOut: !(latest?.optOut ?? false) }, data: { dataSharingOptOut: latest?.optOut ?? false } });
  }
}

/** After an import: the flags of the patients whose Consents (by FHIR id) were just written. */
export async function refreshAfterConsentImport(tx: TTx, consentFhirIds: string[]) {
  const patientIds = new Set<string>();
  for (let start = 0; start < consentFhirIds.length; start += LOOKUP_CHUNK) {
    const rows = await tx.consent.findMany({ where: { fhirId: { in: consentFhirIds.slice(start, start + LOOKUP_CHUNK) } }, select: { patientId: true } });
    for (const row of rows) patientIds.add(row.patientId);
  }
  await refreshDataSharingOptOut(tx, patientIds);
}

/** Internal ids of the patients who opted out of data sharing now (a small set: held in memory). */
export async function optedOutPatientIds(db: TDb = prisma): Promise<Set<string>> {
  const rows = await db.patient.findMany({ where: { dataSharingOptOut: true }, select: { id: true } });

  return new Set(rows.map((row) => row.id));
}

export type TConsentDecision = { optOut: boolean; reason: string };

/**
 * An admin opts a patient out of data sharing (or back in), with a reason. Stored as a portal
 * Consent (the history stays), the flag recomputed, audited; all in one transaction.
 */
export async function setDataSharingOptOut(actor: TActor, patientId: string, decision: TConsentDecision, meta?: TRequestMeta | null) {
  await authorize(actor, { action: "patient.consent-manage" }, { meta, patientId });
  const reason = decision.reason.trim();
  if (reason.length < CONSENT_REASON_MIN_LENGTH) throw invalidInput("reason", `state why (at least ${CONSENT_REASON_MIN_LENGTH} characters)`);
  if (reason.length > CONSENT_REASON_MAX_LENGTH) throw invalidInput("reason", `at most ${CONSENT_REASON_MAX_LENGTH} characters`);

  return prisma.$transaction(async (tx) => {
    const patient = await tx.patient.findUnique({ where: { id: patientId }, select: { id: true, fhirId: true, dataSharingOptOut: true } });
    if (!patient) throw new AppError("NOT_FOUND", "Patient not found");
    const decidedAt = new Date();
    const fhirId = `portal-${newRowId()}`;
    await tx.consent.create({
      data: {
        fhirId,
        patientId,
        status: "active",
        optOut: decision.optOut,
        decidedAt,
        source: "portal",
        reason,
        recordedById: actor.id,
        raw: portalConsentResource({ fhirId, patientFhirId: patient.fhirId, optOut: decision.optOut, decidedAt }),
      },
    });
    await refreshDataSharingOptOut(tx, [patientId]);
    // The reason is the admin's words about the patient's decision: kept in the audit trail, which
    // is where the practice answers "who changed this and why".
    await recordAudit(tx, { action: decision.optOut ? "consent_opt_out_set" : "consent_opt_out_cleared", userId: actor.id, patientId, metadata: { reason, was: patient.dataSharingOptOut }, meta });

    return { optOut: decision.optOut, decidedAt: decidedAt.toISOString() };
  });
}

/** The patient page's view: the current flag and the decisions that led to it, newest first. */
export type TConsentHistory = Awaited<ReturnType<typeof consentHistory>>;

export async function consentHistory(patientId: string) {
  const [patient, consents] = await Promise.all([
    prisma.patient.findUnique({ where: { id: patientId }, select: { dataSharingOptOut: true } }),
    prisma.consent.findMany({ where: { patientId }, orderBy: [{ decidedAt: "desc" }, { createdAt: "desc" }], take: 20, select: { id: true, status: true, optOut: true, decidedAt: true, source: true, reason: true, recordedBy: { select: { name: true } } } }),
  ]);

  if (!patient) throw new AppError("NOT_FOUND", "Patient not found");

  return { optOut: patient.dataSharingOptOut, consents };
}
