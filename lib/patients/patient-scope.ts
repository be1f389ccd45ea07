import type { Prisma } from "@/generated/prisma/client";
import type { TActor } from "@/lib/auth/policy";
import type { TDb } from "@/lib/db/client";

/**
 * The patients an actor may see, as a query filter: the scoped `where` is the authorization
 * for lists, so a therapist's list can never include a patient who is not theirs.
 */
export function patientScope(actor: TActor): Prisma.PatientWhereInput {
  if (actor.role === "ADMIN") return {};
  if (actor.role === "THERAPIST") return { assignments: { some: { userId: actor.id } } };

  return { id: "__none__" };
}

/** The facts the policy needs for one patient: does it exist, and is it assigned to the actor? */
export async function isPatientAssigned(db: TDb, actor: TActor, patientId: string) {
  if (actor.role !== "THERAPIST") return false;
  const row = await db.patientAssignment.findUnique({ where: { userId_patientId: { userId: actor.id, patientId } }, select: { id: true } });

  return Boolean(row);
}
