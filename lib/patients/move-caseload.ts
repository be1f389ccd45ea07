import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";

export type TMoveCaseloadOptions = {
  fromTherapistId: string;
  toTherapistId: string;
  actor: { userId: string | null };
  meta?: TRequestMeta;
};

const notTherapist = (path: string) => new AppError("INVALID_INPUT", `${path}: the user is not a therapist`, { issues: [{ path, message: "is not a therapist" }] });

/**
 * Moves every patient of one therapist to another in one transaction (a therapist leaving, a long
 * absence): the receiving therapist gains each patient they did not have, the first loses them
 * all. Each patient's two changes are audited like a single assignment; all or nothing.
 */
export async function moveCaseload({ fromTherapistId, toTherapistId, actor, meta }: TMoveCaseloadOptions) {
  if (fromTherapistId === toTherapistId) throw new AppError("INVALID_INPUT", "to_user_id: choose another therapist", { issues: [{ path: "to_user_id", message: "is the same therapist" }] });

  return prisma.$transaction(async (tx) => {
    const [from, to] = await Promise.all([
      tx.user.findUnique({ where: { id: fromTherapistId }, select: { role: true } }),
      tx.user.findUnique({ where: { id: toTherapistId }, select: { role: true, isDisabled: true } }),
    ]);
    if (!from) throw new AppError("NOT_FOUND", "Therapist not found");
    if (from.role !== "THERAPIST") throw notTherapist("user");
    if (!to) throw new AppError("INVALID_INPUT", "to_user_id: no such user", { issues: [{ path: "to_user_id", message: "no such user" }] });
    if (to.role !== "THERAPIST") throw notTherapist("to_user_id");
    if (to.isDisabled) throw new AppError("INVALID_INPUT", "to_user_id: the account is disabled", { issues: [{ path: "to_user_id", message: "is disabled" }] });

    const moving = await tx.patientAssignment.findMany({ where: { userId: fromTherapistId }, select: { patientId: true } });
    const already = new Set((await tx.patientAssignment.findMany({ where: { userId: toTherapistId, patientId: { in: moving.map((row) => row.patientId) } }, select: { patientId: true } })).map((row) => row.patientId));
    const added = moving.filter((row) => !already.has(row.patientId));
    if (added.length) await tx.patientAssignment.createMany({ data: added.map((row) => ({ userId: toTherapistId, patientId: row.patientId })) });
    await tx.patientAssignment.deleteMany({ where: { userId: fromTherapistId } });
    for (const { patientId } of moving) {
      if (!already.has(patientId)) await recordAudit(tx, { action: "assignment_changed", userId: actor.userId, patientId, metadata: { therapistId: toTherapistId, isAssigned: true, reason: "caseload moved", fromTherapistId }, meta });
      await recordAudit(tx, { action: "assignment_changed", userId: actor.userId, patientId, metadata: { therapistId: fromTherapistId, isAssigned: false, reason: "caseload moved", toTherapistId }, meta });
    }

    return { moved: moving.length, alreadyAssigned: moving.length - added.length };
  });
}
