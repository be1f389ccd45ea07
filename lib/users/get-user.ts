import { usersWithSignInLocks } from "@/lib/auth/login-throttle";
import { prisma } from "@/lib/db/client";
import { notFound } from "@/lib/errors/app-error";
import { toUserDto, USER_ADMIN_SELECT } from "@/lib/users/list-users";

/** One user for the admin console, with the patients assigned to them (ids and names: admins see all patients). */
export async function getUserOrThrow(userId: string) {
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: {
      ...USER_ADMIN_SELECT,
      assignments: { orderBy: { createdAt: "asc" }, select: { patient: { select: { id: true, givenName: true, familyName: true, mrn: true } } } },
    },
  });
  if (!user) throw notFound("User");

  return {
    ...toUserDto(user, (await usersWithSignInLocks()).has(user.id)),
    assignments: user.assignments.map(({ patient }) => ({ patient_id: patient.id, name: `${patient.givenName} ${patient.familyName}`, mrn: patient.mrn })),
  };
}
