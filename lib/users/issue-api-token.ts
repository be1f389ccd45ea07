import { z } from "zod";

import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { createApiToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from "@/lib/auth/tokens";
import { prisma } from "@/lib/db/client";
import { notFound } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";

export const ZIssueApiToken = z.object({
  name: z.string().trim().min(1, "is required").max(100),
  days: z.coerce.number().int("must be a whole number").min(1, "must be 1 or more").max(MAX_TOKEN_DAYS, `must be at most ${MAX_TOKEN_DAYS}`).default(DEFAULT_TOKEN_DAYS),
});
export type TIssueApiTokenInput = z.input<typeof ZIssueApiToken>;

/**
 * Creates an API token for `ownerId` (the actor's own, or anyone's for an admin). The policy
 * decides; the secret is returned once and only its hash is stored. Audited as `token_created`.
 */
export async function issueApiToken(actor: TActor, ownerId: string, input: TIssueApiTokenInput, meta?: TRequestMeta) {
  await authorize(actor, { action: "token.manage", ownerId }, { meta });
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
