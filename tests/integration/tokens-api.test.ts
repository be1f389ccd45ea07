import { describe, expect, it } from "vitest";

import { DELETE as revokeTokenRoute } from "@/app/api/v1/tokens/[id]/route";
import { GET as listTokensRoute, POST as createTokenRoute } from "@/app/api/v1/tokens/route";
import { authenticateToken } from "@/lib/auth/tokens";
import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { browserHeaders, signInCookie } from "../setup/session";

describe("/api/v1/tokens (a user's own API tokens)", () => {
  it("lists only the caller's tokens, creates one shown once, revokes own and refuses others'", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST", password: "Quiet-harbour-lantern-42" });
    const { user: other } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(therapist.id);
    const otherToken = await tokenFor(other.id);
    const session = browserHeaders(await signInCookie(therapist.email, "Quiet-harbour-lantern-42"));

    const created = await call(createTokenRoute, { path: "/api/v1/tokens", headers: session, body: { name: "my script", days: 10 } });
    expect(created.status).toBe(201);
    const secret = created.json.token as string;
    expect(secret).toMatch(/^cex_/);
    expect(await prisma.exportAuditLog.findFirst({ where: { action: "token_created" }, orderBy: { seq: "desc" } })).toMatchObject({ userId: therapist.id, metadata: { tokenId: created.json.id } });

    const listed = await call(listTokensRoute, { path: "/api/v1/tokens", token });
    const ids = (listed.json.tokens as { id: string }[]).map((row) => row.id);
    expect(ids).toContain(created.json.id);
    expect(JSON.stringify(listed.json)).not.toContain(secret);
    const othersList = await call(listTokensRoute, { path: "/api/v1/tokens", token: otherToken });
    expect((othersList.json.tokens as { id: string }[]).map((row) => row.id)).not.toContain(created.json.id);

    const badInput = await call(createTokenRoute, { path: "/api/v1/tokens", headers: session, body: { days: 0 } });
    expect(badInput.status).toBe(400);

    // Someone else's token: the policy's token.manage refusal, the same 404 as a missing one, audited like every denial.
    const foreign = await call(revokeTokenRoute, { method: "DELETE", path: `/api/v1/tokens/${created.json.id}`, token: otherToken, params: { id: created.json.id as string } });
    expect(foreign.status).toBe(404);
    expect(await authenticateToken(secret)).toMatchObject({ ok: true });
    const denial = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "access_denied", userId: other.id }, orderBy: { seq: "desc" } });
    expect(denial).toMatchObject({ outcome: "denied", metadata: { policyAction: "token.manage", status: 404, tokenId: created.json.id, ownerId: therapist.id } });
    expect(await prisma.exportAuditLog.count({ where: { action: "token_revoked", userId: other.id } })).toBe(0);
    const missing = await call(revokeTokenRoute, { method: "DELETE", path: "/api/v1/tokens/no-such-token", token: otherToken, params: { id: "no-such-token" } });
    expect(missing.status).toBe(404);

    const revoked = await call(revokeTokenRoute, { method: "DELETE", path: `/api/v1/tokens/${created.json.id}`, token, params: { id: created.json.id as string } });
    expect(revoked.status).toBe(204);
    expect(await authenticateToken(secret)).toMatchObject({ ok: false, reason: "revoked" });
    expect(await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "token_revoked", userId: therapist.id } })).toMatchObject({ metadata: { tokenId: created.json.id } });
    // Again: nothing left to revoke, nothing more audited.
    expect((await call(revokeTokenRoute, { method: "DELETE", path: `/api/v1/tokens/${created.json.id}`, token, params: { id: created.json.id as string } })).status).toBe(204);
    expect(await prisma.exportAuditLog.count({ where: { action: "token_revoked", userId: therapist.id } })).toBe(1);
  });

  it("an admin revokes anyone's token", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const secret = await tokenFor(analyst.id);
    const row = await prisma.apiToken.findFirstOrThrow({ where: { userId: analyst.id } });

    const revoked = await call(revokeTokenRoute, { method: "DELETE", path: `/api/v1/tokens/${row.id}`, token: await tokenFor(admin.id), params: { id: row.id } });
    expect(revoked.status).toBe(204);
    expect(await authenticateToken(secret)).toMatchObject({ ok: false, reason: "revoked" });
    expect(await prisma.exportAuditLog.count({ where: { action: "token_revoked", userId: admin.id } })).toBe(1);
  });
});
