import { z } from "zod";

import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor, TAuthMethod } from "@/lib/auth/policy";
import { createApiToken } from "@/lib/auth/tokens";
import { prisma } from "@/lib/db/client";
import { notFound } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";

export const ZIssueApiToken = z.object({
  name: z.string().trim().min(1, "is required").max(100),
  /** Checked against the settings' maximum when the token is made. */
  days: z.coerce.number("must be a whole number").int("must be a whole number").min(1, "must be 1 or more").optional(),
});
export type TIssueApiTokenInput = z.input<typeof ZIssueApiToken>;

/**
 * Creates an API token for `ownerId` (the actor's own, or anyone's for an admin), asked from a
 * signed-in session only: `via` says how the request was signed in, and a request signed in with
 * a token is refused (403, audited). The secret is returned once and only its hash is stored.
 * Audited as `token_created`.
 */
export async function issueApiToken(actor: TActor, ownerId: string, input: TIssueApiTokenInput, via: TAuthMethod, meta?: TRequestMeta) {
  await authorize(actor, { action: "token.create", ownerId, via }, { meta });
  const data = parseOrThrow(ZIssueApiToken, input, "Invalid token");
  const owner = await prisma.user.findUnique({ where: { id: ownerId }, select: { id: true, isDisabled: true } });
  if (!owner || owner.isDisabled) throw notFound("User");
  const created = await createApiToken({ userId: ownerId, name: data.name, days: data.days, createdById: actor.id, meta });

  return {
    id: created.id,
    name: created.name,
    prefix: created.prefix,
    created_at: created.createdAt.toISOString(),
    expires_at: created.expiresAt.toISOString(),
    /** Shown once: only its hash is stored. */
    token: created.token,
  };
}
