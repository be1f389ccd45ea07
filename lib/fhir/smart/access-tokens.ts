// Opaque, short-lived access tokens for SMART clients: returned once, stored as a SHA-256 hash,
// bound to the scopes granted at issue.
import { createHash, randomBytes } from "node:crypto";

import { loadActiveActor } from "@/lib/auth/actor";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";

export const ACCESS_TOKEN_SECONDS = 300;
const TOKEN_PREFIX = "fat_";

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

export async function issueAccessToken(clientId: string, scopes: string[]) {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  await prisma.fhirAccessToken.create({ data: { clientId, tokenHash: hashOf(token), scopes, expiresAt: new Date(Date.now() + ACCESS_TOKEN_SECONDS * 1000) } });

  return { token, expiresIn: ACCESS_TOKEN_SECONDS };
}

export const isAccessToken = (token: string) => token.startsWith(TOKEN_PREFIX);

export type TAccessTokenCheck = { ok: true; actor: TActor; scopes: string[]; clientId: string } | { ok: false; reason: "unknown" | "expired" | "client-disabled" };

export async function authenticateAccessToken(token: string): Promise<TAccessTokenCheck> {
  const row = await prisma.fhirAccessToken.findUnique({ where: { tokenHash: hashOf(token) }, select: { expiresAt: true, scopes: true, client: { select: { clientId: true, userId: true, isDisabled: true } } } });
  if (!row) return { ok: false, reason: "unknown" };
  if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: "expired" };
  if (row.client.isDisabled) return { ok: false, reason: "client-disabled" };
  // The client's service user, loaded fresh: a role change or a disabled account applies at once.
  const actor = await loadActiveActor(row.client.userId);
  if (!actor) return { ok: false, reason: "client-disabled" };

  return { ok: true, actor, scopes: Array.isArray(row.scopes) ? row.scopes.map(String) : [], clientId: row.client.clientId };
}
