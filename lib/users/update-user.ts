import { z } from "zod";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { usersWithSignInLocks } from "@/lib/auth/login-throttle";
import { revokeUserAccess } from "@/lib/auth/revoke-user-access";
import { prisma } from "@/lib/db/client";
import { AppError, invalidInput, notFound } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { toUserDto, USER_ADMIN_SELECT } from "@/lib/users/list-users";

export const ZUpdateUser = z
  .object({
    name: z.string().trim().min(1, "is required").max(200).optional(),
    role: z.enum(["therapist", "analyst", "admin"], "must be therapist, analyst or admin").optional(),
    credentials: z.string().trim().max(50).nullable().optional(),
    npi: z.string().regex(/^\d{10}$/, "must be 10 digits").nullable().optional(),
    pii_access: z.boolean("must be true or false").optional(),
    is_disabled: z.boolean("must be true or false").optional(),
  })
  .strict();
export type TUpdateUserInput = z.input<typeof ZUpdateUser>;

const FIELD_COLUMNS = { name: "name", role: "role", credentials: "credentials", npi: "npi", pii_access: "piiAccess", is_disabled: "isDisabled" } as const;

/**
 * Changes a user's profile, role, piiAccess grant or disabled flag; audited as a from → to diff
 * (`user_disabled` when the change disables the account, `user_updated` otherwise). A therapist
 * given another role loses their patient assignments, each audited. A role change or disabling
 * also ends the user's web sessions and revokes their API tokens: both were given to the old role
 * (re-enabling an account must not bring old tokens back).
 */
export async function updateUser(userId: string, input: TUpdateUserInput, actor: { userId: string }, meta?: TRequestMeta) {
  const data = parseOrThrow(ZUpdateUser, input, "Invalid user");
  // An admin cannot lock themselves out of the console by accident.
  if (userId === actor.userId && data.is_disabled === true) throw invalidInput("is_disabled", "you cannot disable your own account");
  if (userId === actor.userId && data.role && data.role !== "admin") throw invalidInput("role", "you cannot remove your own admin role");

  return prisma.$transaction(async (tx) => {
    const current = await tx.user.findUnique({ where: { id: userId }, select: USER_ADMIN_SELECT });
    if (!current) throw notFound("User");
    const next = {
      name: data.name ?? current.name,
      role: (data.role?.toUpperCase() as typeof current.role | undefined) ?? current.role,
      credentials: data.credentials === undefined ? current.credentials : data.credentials,
      npi: data.npi === undefined ? current.npi : data.npi,
      piiAccess: data.pii_access ?? current.piiAccess,
      isDisabled: data.is_disabled ?? current.isDisabled,
    };
    // The identified tier is an analyst's grant; admins have it by role, therapists never.
    if (next.piiAccess && next.role !== "ANALYST") {
      if (data.pii_access) throw invalidInput("pii_access", "only analysts can be given the piiAccess grant");
      next.piiAccess = false;
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [field, column] of Object.entries(FIELD_COLUMNS)) {
      const from = current[column];
      const to = next[column];
      if (from !== to) changes[field] = { from, to };
    }
    const isLocked = (await usersWithSignInLocks()).has(userId);
    if (Object.keys(changes).length === 0) return toUserDto(current, isLocked);
    if (changes.role && current.role === "ADMIN" && (await tx.user.count({ where: { role: "ADMIN", isDisabled: false } })) <= 1) {
      throw new AppError("CONFLICT", "role: the last active admin cannot lose the admin role", { issues: [{ path: "role", message: "last active admin" }] });
    }
    const updated = await tx.user.update({ where: { id: userId }, data: next, select: USER_ADMIN_SELECT });
    // Assignments are a therapist's access to patients. Left in place on a role change, they would
    // quietly give that access back if the user were ever made a therapist again.
    if (changes.role && current.role === "THERAPIST") {
      const assignments = await tx.patientAssignment.findMany({ where: { userId }, select: { patientId: true } });
      await tx.patientAssignment.deleteMany({ where: { userId } });
      for (const { patientId } of assignments) {
        await recordAudit(tx, { action: "assignment_changed", userId: actor.userId, patientId, metadata: { therapistId: userId, isAssigned: false, reason: "role changed" }, meta });
      }
    }
    // Names are not patient data, but keep the record to ids and flags anyway.
    if (changes.name) changes.name = { from: "(changed)", to: "(changed)" };
    const isDisabling = changes.is_disabled?.to === true;
    const revoked = changes.role || isDisabling ? await revokeUserAccess(tx, userId, { reason: isDisabling ? "account disabled" : "role changed", actorId: actor.userId, meta }) : null;
    await recordAudit(tx, {
      action: isDisabling ? "user_disabled" : "user_updated",
      userId: actor.userId,
      metadata: { targetUserId: userId, changes, ...(revoked ? { sessionsEnded: true, tokensRevoked: revoked.tokensRevoked } : {}) },
      meta,
    });

    return toUserDto(updated, isLocked);
  });
}
