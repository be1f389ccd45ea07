import { prisma } from "@/lib/db/client";

/** A user's API tokens (never the secret: only its first characters), newest first. */
export async function listApiTokens(userId: string) {
  const tokens = await prisma.apiToken.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, expiresAt: true, revokedAt: true, lastUsedAt: true, createdAt: true },
  });
  const now = Date.now();

  return tokens.map((token) => ({
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    created_at: token.createdAt.toISOString(),
    expires_at: token.expiresAt.toISOString(),
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
    revoked_at: token.revokedAt?.toISOString() ?? null,
    status: token.revokedAt ? "revoked" : token.expiresAt.getTime() <= now ? "expired" : "active",
  }));
}
