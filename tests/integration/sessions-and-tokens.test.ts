// Credentials that really end: API tokens come only from a signed-in person and live at most the
// configured lifetime; a password reset, a role change or disabling ends the user's sessions and
// revokes their tokens; sign-out ends the session on the server, copies of its cookie included.
import { describe, expect, it } from "vitest";

import { PATCH as patchUserRoute } from "@/app/api/v1/admin/users/[id]/route";
import { POST as passwordRoute } from "@/app/api/v1/admin/users/[id]/password/route";
import { POST as adminCreateTokenRoute } from "@/app/api/v1/admin/users/[id]/tokens/route";
import { GET as listPatientsRoute } from "@/app/api/v1/patients/route";
import { POST as createTokenRoute } from "@/app/api/v1/tokens/route";
import { run as tokensCreateCli } from "@/cli/commands/tokens-create";
import { authenticateToken } from "@/lib/auth/tokens";
import { prisma } from "@/lib/db/client";
import { updateSettings } from "@/lib/settings/settings";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { browserHeaders, sessionTokenOf, signInCookie, signOut } from "../setup/session";

const PASSWORD = "Quiet-harbour-lantern-42";

const listPatients = (auth: { cookie?: string; token?: string }) => call(listPatientsRoute, { path: "/api/v1/patients", token: auth.token, headers: auth.cookie ? browserHeaders(auth.cookie) : {} });
const daysUntil = (iso: unknown) => Math.round((new Date(String(iso)).getTime() - Date.now()) / 86_400_000);

describe("API tokens", () => {
  it("are created from a signed-in session; a Bearer caller gets 403, audited, and no token", async () => {
    const { user } = await createUser({ role: "THERAPIST", password: PASSWORD });
    const cookie = await signInCookie(user.email, PASSWORD);
    const parent = await tokenFor(user.id);

    const fromSession = await call(createTokenRoute, { path: "/api/v1/tokens", headers: browserHeaders(cookie), body: { name: "nightly script" } });
    expect(fromSession.status).toBe(201);
    expect(await authenticateToken(fromSession.json.token as string)).toMatchObject({ ok: true });

    const fromToken = await call(createTokenRoute, { path: "/api/v1/tokens", token: parent, body: { name: "child" } });
    expect(fromToken.status).toBe(403);
    expect(fromToken.json.error).toBe("You do not have access to this");
    expect(await prisma.apiToken.count({ where: { userId: user.id, name: "child" } })).toBe(0);
    const denial = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "access_denied", userId: user.id }, orderBy: { seq: "desc" } });
    expect(denial.metadata).toMatchObject({ policyAction: "token.create", status: 403, reason: expect.stringMatching(/signed-in session/) });
  });

  it("an admin's token cannot mint tokens for anyone either; the admin's session can", async () => {
    const { user: admin } = await createUser({ role: "ADMIN", password: PASSWORD });
    const { user: analyst } = await createUser({ role: "ANALYST" });

    const withToken = await call(adminCreateTokenRoute, { token: await tokenFor(admin.id), params: { id: analyst.id }, body: { name: "for analyst" } });
    expect(withToken.status).toBe(403);
    const withSession = await call(adminCreateTokenRoute, { headers: browserHeaders(await signInCookie(admin.email, PASSWORD)), params: { id: analyst.id }, body: { name: "for analyst" } });
    expect(withSession.status).toBe(201);
    expect(await prisma.apiToken.count({ where: { userId: analyst.id, name: "for analyst" } })).toBe(1);
  });

  it("live at most the api_token_max_days setting (90 days by default), in the API and the CLI", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user } = await createUser({ role: "ANALYST", password: PASSWORD });
    const headers = browserHeaders(await signInCookie(user.email, PASSWORD));

    const defaulted = await call(createTokenRoute, { headers, body: { name: "default" } });
    expect(daysUntil(defaulted.json.expires_at)).toBe(90);
    const tooLong = await call(createTokenRoute, { headers, body: { name: "a year", days: 366 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.issues).toEqual([{ path: "days", message: "must be a whole number from 1 to 90 (the longest token lifetime the settings allow)" }]);

    await updateSettings({ api_token_max_days: 30 }, admin.id);
    try {
      expect((await call(createTokenRoute, { headers, body: { name: "31", days: 31 } })).status).toBe(400);
      expect(daysUntil((await call(createTokenRoute, { headers, body: { name: "max" } })).json.expires_at)).toBe(30);
      await expect(tokensCreateCli(["--email", user.email, "--days", "31"])).rejects.toMatchObject({ code: "INVALID_INPUT", issues: [{ path: "days" }] });
      expect(await prisma.apiToken.count({ where: { userId: user.id, name: { in: ["31", "cli"] } } })).toBe(0);
    } finally {
      await updateSettings({ api_token_max_days: 90 }, admin.id);
    }
  });
});

describe("revocation", () => {
  it("a password reset ends the user's sessions and revokes their tokens, each audited", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user } = await createUser({ role: "THERAPIST", password: PASSWORD });
    const cookie = await signInCookie(user.email, PASSWORD);
    const token = await tokenFor(user.id);
    expect((await listPatients({ cookie })).status).toBe(200);
    expect((await listPatients({ token })).status).toBe(200);

    const reset = await call(passwordRoute, { token: await tokenFor(admin.id), params: { id: user.id }, body: { password: "Fresh-meadow-compass-77" } });
    expect(reset.status).toBe(204);

    expect((await listPatients({ cookie })).status).toBe(401);
    expect((await listPatients({ token })).status).toBe(401);
    expect(await authenticateToken(token)).toMatchObject({ ok: false, reason: "revoked" });
    const revoked = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "token_revoked", userId: admin.id }, orderBy: { seq: "desc" } });
    expect(revoked.metadata).toMatchObject({ ownerId: user.id, reason: "password reset" });
    expect((await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "user_updated", userId: admin.id }, orderBy: { seq: "desc" } })).metadata).toMatchObject({ sessionsEnded: true, tokensRevoked: 1 });
    // Signing in again with the new password works.
    expect((await listPatients({ cookie: await signInCookie(user.email, "Fresh-meadow-compass-77") })).status).toBe(200);
  });

  it("a role change ends sessions and revokes tokens; a profile edit does not", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const adminToken = await tokenFor(admin.id);
    const { user } = await createUser({ role: "THERAPIST", password: PASSWORD });
    const cookie = await signInCookie(user.email, PASSWORD);
    const token = await tokenFor(user.id);

    await call(patchUserRoute, { method: "PATCH", token: adminToken, params: { id: user.id }, body: { name: "Dr. Renamed" } });
    expect((await listPatients({ cookie })).status).toBe(200);
    expect(await authenticateToken(token)).toMatchObject({ ok: true });

    await call(patchUserRoute, { method: "PATCH", token: adminToken, params: { id: user.id }, body: { role: "analyst" } });
    expect((await listPatients({ cookie })).status).toBe(401);
    expect(await authenticateToken(token)).toMatchObject({ ok: false, reason: "revoked" });
    expect((await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "token_revoked", userId: admin.id }, orderBy: { seq: "desc" } })).metadata).toMatchObject({ ownerId: user.id, reason: "role changed" });
  });

  it("disabling revokes tokens for good: enabling the account again does not bring them back", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const adminToken = await tokenFor(admin.id);
    const { user } = await createUser({ role: "ANALYST", password: PASSWORD });
    const cookie = await signInCookie(user.email, PASSWORD);
    const token = await tokenFor(user.id);

    await call(patchUserRoute, { method: "PATCH", token: adminToken, params: { id: user.id }, body: { is_disabled: true } });
    await call(patchUserRoute, { method: "PATCH", token: adminToken, params: { id: user.id }, body: { is_disabled: false } });

    expect(await authenticateToken(token)).toMatchObject({ ok: false, reason: "revoked" });
    expect((await call(listPatientsRoute, { headers: browserHeaders(cookie) })).status).toBe(401);
    expect((await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "user_disabled", userId: admin.id }, orderBy: { seq: "desc" } })).metadata).toMatchObject({ sessionsEnded: true, tokensRevoked: 1 });
  });
});

describe("sign-out", () => {
  it("ends the session on the server: a copied cookie stops working, on every device of the user", async () => {
    const { user } = await createUser({ role: "THERAPIST", password: PASSWORD });
    const laptop = await signInCookie(user.email, PASSWORD);
    const copied = `${laptop}`;
    const phone = await signInCookie(user.email, PASSWORD);
    expect((await listPatients({ cookie: copied })).status).toBe(200);

    await signOut(laptop);

    expect((await listPatients({ cookie: copied })).status).toBe(401);
    expect((await listPatients({ cookie: phone })).status).toBe(401);
    expect(await prisma.exportAuditLog.count({ where: { action: "logout", userId: user.id } })).toBe(1);
    // API tokens are separate credentials: sign-out leaves them alone.
    const token = await tokenFor(user.id);
    expect((await listPatients({ token })).status).toBe(200);
  });

  it("an ended session cannot sign its owner out again (a stolen old cookie is no lever)", async () => {
    const { user } = await createUser({ role: "THERAPIST", password: PASSWORD });
    const old = await signInCookie(user.email, PASSWORD);
    await signOut(old);
    const current = await signInCookie(user.email, PASSWORD);

    await signOut(old);

    expect((await listPatients({ cookie: current })).status).toBe(200);
    expect(await prisma.exportAuditLog.count({ where: { action: "logout", userId: user.id } })).toBe(1);
    expect((await sessionTokenOf(current)).sv).toBe((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion);
  });
});
