import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";

export type TAssignPatientOptions = {
  therapistId: string;
  patientId: string;
  isAssigned: boolean;
  actor: { userId: string | null; label?: string };
  meta?: TRequestMeta;
};

/** Gives (or takes away) a therapist's access to one patient. Idempotent. */
export async function setPatientAssignment({ therapistId, patientId, isAssigned, actor, meta }: TAssignPatientOptions) {
  return prisma.$transaction(async (tx) => {
    const therapist = await tx.user.findUnique({ where: { id: therapistId }, select: { role: true } });
    if (!therapist) throw new AppError("NOT_FOUND", "Therapist not found");
    if (therapist.role !== "THERAPIST") throw new AppError("INVALID_INPUT", "therapist: the user is not a therapist", { issues: [{ path: "therapist", message: "not a therapist" }] });
    const patient = await tx.patient.findUnique({ where: { id: patientId }, select: { id: true } });
    if (!patient) throw new AppError("NOT_FOUND", "Patient not found");

    const existing = await tx.patientAssignment.findUnique({ where: { userId_patientId: { userId: therapistId, patientId } }, select: { id: true } });
    if (Boolean(existing) === isAssigned) return { changed: false };
    if (isAssigned) {
      await tx.patientAssignment.create({ data: { userId: therapistId, patientId } });
    } else {
      await tx.patientAssignment.delete({ where: { id: existing!.id } });
    }
    await recordAudit(tx, {
      action: "assignment_changed",
      userId: actor.userId,
      actorLabel: actor.label ?? null,
      patientId,
      metadata: { therapistId, isAssigned },
      meta,
    });

    return { changed: true };
  });
}
