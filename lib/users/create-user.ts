import { z } from "zod";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { assertStrongPassword, hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/auth/password";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";

export const ZCreateUser = z.object({
  email: z.email("must be an email address").max(320).transform((value) => value.trim().toLowerCase()),
  name: z.string().trim().min(1, "is required").max(200),
  role: z.enum(["therapist", "analyst", "admin"], "must be therapist, analyst or admin").transform((value) => value.toUpperCase() as "THERAPIST" | "ANALYST" | "ADMIN"),
  // Length here, with the other fields' issues; strength once the name and email are known.
  password: z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`),
  credentials: z.string().trim().max(50).optional(),
  npi: z.string().regex(/^\d{10}$/, "must be 10 digits").optional(),
  pii_access: z.boolean().optional(),
});
export type TCreateUserInput = z.input<typeof ZCreateUser>;

/** Creates a user (admin API and CLI alike); the password must pass the strength rule (lib/auth/password.ts). */
export async function createUser(input: TCreateUserInput, actor: { userId: string | null; label?: string }, meta?: TRequestMeta) {
  const data = parseOrThrow(ZCreateUser, input, "Invalid user");
  assertStrongPassword(data.password, data);
  const passwordHash = await hashPassword(data.password);

  return prisma.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: data.email }, select: { id: true } });
    if (existing) throw new AppError("CONFLICT", `email: a user with ${data.email} already exists`, { issues: [{ path: "email", message: "already exists" }] });
    const user = await tx.user.create({
      data: {
        email: data.email,
        name: data.name,
        role: data.role,
        passwordHash,
        credentials: data.credentials ?? null,
        npi: data.npi ?? null,
        piiAccess: data.role === "ANALYST" ? (data.pii_access ?? false) : false,
      },
      select: { id: true, email: true, name: true, role: true, piiAccess: true, createdAt: true },
    });
    await recordAudit(tx, {
      action: "user_created",
      userId: actor.userId,
      actorLabel: actor.label ?? null,
      metadata: { targetUserId: user.id, role: user.role, piiAccess: user.piiAccess },
      meta,
    });

    return user;
  });
}
