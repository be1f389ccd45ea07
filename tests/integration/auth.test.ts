import { describe, expect, it } from "vitest";

import { GET as listPatientsRoute } from "@/app/api/v1/patients/route";
import { verifyCredentials, MAX_FAILED_LOGINS } from "@/lib/auth/login";
import { revokeApiToken } from "@/lib/auth/tokens";
import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

const meta = { ipAddress: "10.0.0.9", userAgent: "vitest", via: "test" };

describe("API tokens", () => {
  it("a valid token authenticates; expired and revoked ones get 401 and are audited", async () => {
    const { user, actor } = await createUser({ role: "THERAPIST" });
    const token = await tokenFor(user.id);
    expect((await call(listPatientsRoute, { path: "/api/v1/patients", token })).status).toBe(200);

    const stored = await prisma.apiToken.findFirstOrThrow({ where: { userId: user.id } });
    expect(stored.tokenHash).not.toContain(token.slice(4, 20));

    await prisma.apiToken.update({ where: { id: stored.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await call(listPatientsRoute, { path: "/api/v1/patients", token });
    expect(expired.status).toBe(401);
    expect(expired.json.error).toMatch(/expired/);

    const second = await tokenFor(user.id);
    const secondRow = await prisma.apiToken.findFirstOrThrow({ where: { userId: user.id, expiresAt: { gt: new Date() } } });
    await revokeApiToken({ tokenId: secondRow.id, actor });
    const revoked = await call(listPatientsRoute, { path: "/api/v1/patients", token: second });
    expect(revoked.status).toBe(401);
    expect(revoked.json.error).toMatch(/revoked/);

    expect((await call(listPatientsRoute, { path: "/api/v1/patients", token: "cex_made-up" })).status).toBe(401);
    expect((await call(listPatientsRoute, { path: "/api/v1/patients" })).status).toBe(401);

    const failures = await prisma.exportAuditLog.count({ where: { action: "login_failure", actorLabel: "api-token" } });
    expect(failures).toBeGreaterThanOrEqual(3);
    expect(await prisma.exportAuditLog.count({ where: { action: "token_revoked", userId: user.id } })).toBe(1);
  });

  it("a disabled user's token stops working at once", async () => {
    const { user } = await createUser({ role: "THERAPIST" });
    const token = await tokenFor(user.id);
    await prisma.user.update({ where: { id: user.id }, data: { isDisabled: true } });
    expect((await call(listPatientsRoute, { path: "/api/v1/patients", token })).status).toBe(401);
  });
});

describe("password sign-in lockout", () => {
  it("locks after five failures for 15 minutes, refusing even the right password, and audits it", async () => {
    const { user } = await createUser({ role: "ANALYST", password: "Correct-horse-1" });
    for (let attempt = 1; attempt < MAX_FAILED_LOGINS; attempt++) {
      expect(await verifyCredentials(user.email, "wrong-password", meta)).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await verifyCredentials(user.email, "wrong-password", meta)).toEqual({ ok: false, reason: "locked" });
    expect(await verifyCredentials(user.email, "Correct-horse-1", meta)).toEqual({ ok: false, reason: "locked" });

    const locked = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    const minutes = (locked.lockedUntil!.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
    expect(await prisma.exportAuditLog.count({ where: { action: "lockout", userId: user.id } })).toBe(1);
    expect(await prisma.exportAuditLog.count({ where: { action: "login_failure", userId: user.id } })).toBe(MAX_FAILED_LOGINS + 1);

    // When the lock has run out, the right password works and the counter is reset.
    await prisma.user.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    const result = await verifyCredentials(user.email, "Correct-horse-1", meta);
    expect(result.ok).toBe(true);
    expect(await prisma.exportAuditLog.count({ where: { action: "login_success", userId: user.id } })).toBe(1);
  });

  it("guesses sent at the same moment are counted before their passwords are checked: at most five are tried", async () => {
    const { user } = await createUser({ role: "ANALYST", password: "Correct-horse-1" });
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => verifyCredentials(user.email, `wrong-guess-${index}`, meta)));

    // Read together, the count let every guess through and the account was never locked.
    expect(results.filter((result) => !result.ok && result.reason === "invalid").length).toBeLessThan(MAX_FAILED_LOGINS);
    expect(results.filter((result) => !result.ok && result.reason === "locked").length).toBeGreaterThan(20 - MAX_FAILED_LOGINS);
    const locked = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(locked.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(await verifyCredentials(user.email, "Correct-horse-1", meta)).toEqual({ ok: false, reason: "locked" });
    expect(await prisma.exportAuditLog.count({ where: { action: "lockout", userId: user.id } })).toBe(1);
    const failures = await prisma.exportAuditLog.findMany({ where: { action: "login_failure", userId: user.id }, select: { metadata: true } });
    expect(failures.filter((record) => (record.metadata as { reason?: string }).reason === "wrong-password")).toHaveLength(MAX_FAILED_LOGINS);
  });

  it("attempts counted but never finished (a restart during the check) lock the account for a while, not for good", async () => {
    const { user } = await createUser({ role: "ANALYST", password: "Correct-horse-1" });
    await prisma.user.update({ where: { id: user.id }, data: { failedLoginCount: MAX_FAILED_LOGINS, lockedUntil: null, updatedAt: new Date(Date.now() - 5 * 60_000) } });

    expect(await verifyCredentials(user.email, "Correct-horse-1", meta)).toEqual({ ok: false, reason: "locked" });
    const locked = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(locked.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    // When that lock runs out, the right password works again.
    await prisma.user.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await verifyCredentials(user.email, "Correct-horse-1", meta)).ok).toBe(true);
  });

  it("an unknown email fails like a wrong password and is audited by the typed address", async () => {
    expect(await verifyCredentials("nobody@nowhere.test", "whatever-123", meta)).toEqual({ ok: false, reason: "invalid" });
    expect(await prisma.exportAuditLog.count({ where: { action: "login_failure", actorLabel: "nobody@nowhere.test" } })).toBe(1);
  });
});
