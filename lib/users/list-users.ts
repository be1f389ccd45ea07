import { z } from "zod";

import type { Prisma } from "@/generated/prisma/client";
import { usersWithSignInLocks } from "@/lib/auth/login-throttle";
import { prisma } from "@/lib/db/client";

export const ZListUsersQuery = z.object({
  q: z.string().trim().max(100).optional(),
  role: z.enum(["therapist", "analyst", "admin"], "must be therapist, analyst or admin").optional(),
  page: z.coerce.number().int().min(1, "must be 1 or more").default(1),
  page_size: z.coerce.number().int().min(1).max(200, "must be at most 200").default(50),
  sort: z.enum(["name", "email", "role", "last_login"], "must be name, email, role or last_login").default("name"),
  order: z.enum(["asc", "desc"], "must be asc or desc").default("asc"),
});
export type TListUsersQuery = Omit<z.infer<typeof ZListUsersQuery>, "sort" | "order"> & Partial<Pick<z.infer<typeof ZListUsersQuery>, "sort" | "order">>;

export const USER_ADMIN_SELECT = {
  id: true, email: true, name: true, role: true, credentials: true, npi: true, piiAccess: true, isDisabled: true,
  lastLoginAt: true, createdAt: true, _count: { select: { assignments: true } },
} as const;

/** `isLocked`: sign-in is locked for this user from at least one address (lib/auth/login-throttle.ts). */
export function toUserDto(user: Prisma.UserGetPayload<{ select: typeof USER_ADMIN_SELECT }>, isLocked: boolean) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role.toLowerCase() as "therapist" | "analyst" | "admin",
    credentials: user.credentials,
    npi: user.npi,
    pii_access: user.piiAccess,
    is_disabled: user.isDisabled,
    is_locked: isLocked,
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
    created_at: user.createdAt.toISOString(),
    assignment_count: user._count.assignments,
  };
}
export type TUserDto = ReturnType<typeof toUserDto>;

function userOrder(query: TListUsersQuery): Prisma.UserOrderByWithRelationInput[] {
  const direction = query.order ?? "asc";
  const tieBreak: Prisma.UserOrderByWithRelationInput[] = [{ name: "asc" }, { email: "asc" }];
  switch (query.sort) {
    case "email":
      return [{ email: direction }];
    case "role":
      return [{ role: direction }, ...tieBreak];
    // Never signed in sorts last either way.
    case "last_login":
      return [{ lastLoginAt: { sort: direction, nulls: "last" } }, ...tieBreak];
    default:
      return [{ name: direction }, { email: direction }];
  }
}

/** Admin list of users, searchable by name or email (case-insensitive on both databases). */
export async function listUsers(query: TListUsersQuery) {
  const variants = query.q ? [...new Set([query.q, query.q.toLowerCase(), query.q.toUpperCase(), query.q.charAt(0).toUpperCase() + query.q.slice(1).toLowerCase()])] : [];
  const where: Prisma.UserWhereInput = {
    ...(query.role ? { role: query.role.toUpperCase() as "THERAPIST" } : {}),
    ...(variants.length ? { OR: variants.flatMap((v) => [{ name: { contains: v } }, { email: { contains: v } }]) } : {}),
  };
  const [total, users, locked] = await Promise.all([
    prisma.user.count({ where }),
    prisma.user.findMany({ where, orderBy: userOrder(query), skip: (query.page - 1) * query.page_size, take: query.page_size, select: USER_ADMIN_SELECT }),
    usersWithSignInLocks(),
  ]);

  return { total, page: query.page, page_size: query.page_size, users: users.map((user) => toUserDto(user, locked.has(user.id))) };
}
