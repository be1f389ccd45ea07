import { describe, expect, it } from "vitest";

import { DELETE as revokeTokenRoute } from "@/app/api/v1/admin/tokens/[id]/route";
import { PUT as assignmentsRoute } from "@/app/api/v1/admin/users/[id]/assignments/route";
import { POST as passwordRoute } from "@/app/api/v1/admin/users/[id]/password/route";
import { GET as getUserRoute, PATCH as patchUserRoute } from "@/app/api/v1/admin/users/[id]/route";
import { GET as listTokensRoute, POST as createTokenRoute } from "@/app/api/v1/admin/users/[id]/tokens/route";
import { GET as listUsersRoute, POST as createUserRoute } from "@/app/api/v1/admin/users/route";
import { GET as getSettingsRoute, PATCH as patchSettingsRoute } from "@/app/api/v1/admin/settings/route";
import { authenticateToken } from "@/lib/auth/tokens";
import { loadActiveActor } from "@/lib/auth/actor";
import { verifyPassword } from "@/lib/auth/password";
import { prisma } from "@/lib/db/client";

import { createPatient, createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { browserHeaders, signInCookie } from "../setup/session";

const PASSWORD = "Quiet-harbour-lantern-42";

async function lastAudit(action: string) {
  return prisma.exportAuditLog.findFirst({ where: { action }, orderBy: { seq: "desc" } });
}

describe("admin console API", () => {
  it("creates, lists and edits users; every change audited with the right action", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);

    const created = await call(createUserRoute, { path: "/api/v1/admin/users", token, body: { email: "New.Analyst@Example.org", name: "Nia Analyst", role: "analyst", password: "long-enough-pw" } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ email: "new.analyst@example.org", role: "analyst", pii_access: false, is_disabled: false });
    const id = created.json.id as string;
    expect(await lastAudit("user_created")).toMatchObject({ userId: admin.id, metadata: { targetUserId: id } });

    const duplicate = await call(createUserRoute, { path: "/api/v1/admin/users", token, body: { email: "new.analyst@example.org", name: "X", role: "analyst", password: "long-enough-pw" } });
    expect(duplicate.status).toBe(409);
    const invalid = await call(createUserRoute, { path: "/api/v1/admin/users", token, body: { email: "nope", name: "X", role: "boss", password: "short" } });
    expect(invalid.status).toBe(400);
    expect((invalid.json.issues as { path: string }[]).map((issue) => issue.path).sort()).toEqual(["email", "password", "role"]);

    const listed = await call(listUsersRoute, { path: "/api/v1/admin/users?q=nia", token });
    expect((listed.json.users as { id: string }[]).map((user) => user.id)).toEqual([id]);

    const granted = await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${id}`, token, params: { id }, body: { pii_access: true } });
    expect(granted.json).toMatchObject({ pii_access: true });
    expect(await lastAudit("user_updated")).toMatchObject({ metadata: { targetUserId: id, changes: { pii_access: { from: false, to: true } } } });

    const promoted = await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${id}`, token, params: { id }, body: { role: "therapist" } });
    // The PII grant is an analyst's: a role change away from analyst drops it.
    expect(promoted.json).toMatchObject({ role: "therapist", pii_access: false });
    expect((await lastAudit("user_updated"))!.metadata).toMatchObject({ changes: { role: { from: "ANALYST", to: "THERAPIST" }, pii_access: { from: true, to: false } } });

    const badGrant = await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${id}`, token, params: { id }, body: { pii_access: true } });
    expect(badGrant.status).toBe(400);
    expect(badGrant.json.issues).toEqual([{ path: "pii_access", message: "only analysts can be given the piiAccess grant" }]);
    const unknownField = await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${id}`, token, params: { id }, body: { isAdmin: true } });
    expect(unknownField.status).toBe(400);

    const patient = await createPatient();
    const assigned = await call(assignmentsRoute, { method: "PUT", path: `/api/v1/admin/users/${id}/assignments`, token, params: { id }, body: { patient_id: patient.id, assigned: true } });
    expect(assigned.status).toBe(200);
    expect(assigned.json.assignments).toEqual([expect.objectContaining({ patient_id: patient.id })]);
    expect(await lastAudit("assignment_changed")).toMatchObject({ patientId: patient.id, userId: admin.id });

    const tokenBeforeReset = await tokenFor(id);
    const { sessionVersion } = await prisma.user.findUniqueOrThrow({ where: { id }, select: { sessionVersion: true } });
    const reset = await call(passwordRoute, { path: `/api/v1/admin/users/${id}/password`, token, params: { id }, body: { password: "a-brand-new-password" } });
    expect(reset.status).toBe(204);
    // Web sessions and API tokens from before the reset have ended; a session signed in after it works.
    expect(await loadActiveActor(id, { sessionVersion })).toBeNull();
    expect(await loadActiveActor(id, { sessionVersion: sessionVersion + 1 })).toMatchObject({ id });
    expect(await authenticateToken(tokenBeforeReset)).toMatchObject({ ok: false, reason: "revoked" });
    const stored = await prisma.user.findUniqueOrThrow({ where: { id }, select: { passwordHash: true } });
    expect(await verifyPassword("a-brand-new-password", stored.passwordHash)).toBe(true);
    expect((await lastAudit("user_updated"))!.metadata).toMatchObject({ changes: { password: "reset" } });
    expect(JSON.stringify((await lastAudit("user_updated"))!.metadata)).not.toContain("a-brand-new-password");

    const userToken = await tokenFor(id);
    const disabled = await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${id}`, token, params: { id }, body: { is_disabled: true } });
    expect(disabled.json).toMatchObject({ is_disabled: true });
    expect(await lastAudit("user_disabled")).toMatchObject({ metadata: { targetUserId: id } });
    // Disabling revokes the tokens (they stay revoked if the account is enabled again).
    expect(await authenticateToken(userToken)).toMatchObject({ ok: false, reason: "revoked" });

    const self = await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${admin.id}`, token, params: { id: admin.id }, body: { is_disabled: true } });
    expect(self.status).toBe(400);
    const missing = await call(getUserRoute, { path: "/api/v1/admin/users/nope", token, params: { id: "nope" } });
    expect(missing.status).toBe(404);
  });

  it("lets a user create (shown once) and revoke their own tokens; admins manage anyone's", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST", password: PASSWORD });
    const { user: other } = await createUser({ role: "THERAPIST" });
    const { user: admin } = await createUser({ role: "ADMIN", password: PASSWORD });
    const token = await tokenFor(therapist.id);
    // Tokens are made from a signed-in session (a token cannot mint tokens).
    const session = browserHeaders(await signInCookie(therapist.email, PASSWORD));

    const created = await call(createTokenRoute, { path: `/api/v1/admin/users/${therapist.id}/tokens`, headers: session, params: { id: therapist.id }, body: { name: "script", days: 30 } });
    expect(created.status).toBe(201);
    const secret = created.json.token as string;
    expect(secret).toMatch(/^cex_/);
    expect(await lastAudit("token_created")).toMatchObject({ userId: therapist.id, metadata: { tokenId: created.json.id } });
    expect(await authenticateToken(secret)).toMatchObject({ ok: true });

    const listed = await call(listTokensRoute, { path: `/api/v1/admin/users/${therapist.id}/tokens`, token, params: { id: therapist.id } });
    const tokens = listed.json.tokens as { id: string; prefix: string; status: string }[];
    expect(tokens.find((row) => row.id === created.json.id)).toMatchObject({ status: "active", prefix: secret.slice(0, 10) });
    expect(JSON.stringify(listed.json)).not.toContain(secret);

    const foreign = await call(listTokensRoute, { path: `/api/v1/admin/users/${other.id}/tokens`, token, params: { id: other.id } });
    // Another user's tokens are instance-scoped: the same 404 as for a user that does not exist.
    expect(foreign.status).toBe(404);
    const foreignCreate = await call(createTokenRoute, { path: `/api/v1/admin/users/${other.id}/tokens`, headers: session, params: { id: other.id }, body: { name: "x" } });
    expect(foreignCreate.status).toBe(404);
    const badDays = await call(createTokenRoute, { path: `/api/v1/admin/users/${therapist.id}/tokens`, headers: session, params: { id: therapist.id }, body: { name: "x", days: 9999 } });
    expect(badDays.status).toBe(400);

    const revoked = await call(revokeTokenRoute, { method: "DELETE", path: `/api/v1/admin/tokens/${created.json.id}`, token, params: { id: created.json.id as string } });
    expect(revoked.status).toBe(204);
    expect(await lastAudit("token_revoked")).toMatchObject({ userId: therapist.id, metadata: { tokenId: created.json.id } });
    expect(await authenticateToken(secret)).toMatchObject({ ok: false, reason: "revoked" });

    const adminMade = await call(createTokenRoute, { path: `/api/v1/admin/users/${other.id}/tokens`, headers: browserHeaders(await signInCookie(admin.email, PASSWORD)), params: { id: other.id }, body: { name: "for other" } });
    expect(adminMade.status).toBe(201);
    const otherRevoke = await call(revokeTokenRoute, { method: "DELETE", path: `/api/v1/admin/tokens/${adminMade.json.id}`, token, params: { id: adminMade.json.id as string } });
    // Someone else's token: the same 404 as a missing one, audited like every refusal.
    expect(otherRevoke.status).toBe(404);
    expect(await lastAudit("access_denied")).toMatchObject({ userId: therapist.id, metadata: expect.objectContaining({ policyAction: "token.manage" }) });
  });

  it("reads and changes settings (audited as a diff), 400 naming the field", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const current = await call(getSettingsRoute, { path: "/api/v1/admin/settings", token });
    expect(current.json).toMatchObject({ audit_retention_years: 6, file_expiry_days: 7 });
    const changed = await call(patchSettingsRoute, { method: "PATCH", path: "/api/v1/admin/settings", token, body: { file_expiry_days: 14 } });
    expect(changed.json).toMatchObject({ file_expiry_days: 14 });
    expect(await lastAudit("settings_changed")).toMatchObject({ userId: admin.id, metadata: { changes: { file_expiry_days: { from: 7, to: 14 } } } });
    const bad = await call(patchSettingsRoute, { method: "PATCH", path: "/api/v1/admin/settings", token, body: { link_lifetime_hours: 0 } });
    expect(bad.status).toBe(400);
    expect((bad.json.issues as { path: string }[])[0]!.path).toBe("link_lifetime_hours");
    const shortRetention = await call(patchSettingsRoute, { method: "PATCH", path: "/api/v1/admin/settings", token, body: { audit_retention_years: 2 } });
    expect(shortRetention.status).toBe(400);
    expect(shortRetention.json.issues).toEqual([{ path: "audit_retention_years", message: "must be at least 6 (HIPAA's documentation period)" }]);
  });

  it("refuses therapists and analysts with 403 and audits each denial", async () => {
    for (const role of ["THERAPIST", "ANALYST"] as const) {
      const { user } = await createUser({ role });
      const token = await tokenFor(user.id);
      const responses = [
        await call(listUsersRoute, { path: "/api/v1/admin/users", token }),
        await call(createUserRoute, { path: "/api/v1/admin/users", token, body: { email: "x@example.org", name: "X", role: "admin", password: "long-enough-pw" } }),
        await call(patchUserRoute, { method: "PATCH", path: `/api/v1/admin/users/${user.id}`, token, params: { id: user.id }, body: { role: "admin" } }),
        await call(patchSettingsRoute, { method: "PATCH", path: "/api/v1/admin/settings", token, body: { file_expiry_days: 1 } }),
      ];
      expect(responses.map((response) => response.status)).toEqual([403, 403, 403, 403]);
      expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: user.id } })).toBe(4);
      expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ role });
    }
  });
});
