import { describe, expect, it } from "vitest";

import { GET as listPatientsRoute } from "@/app/api/v1/patients/route";
import { verifyCredentials } from "@/lib/auth/login";
import { pruneLoginThrottles } from "@/lib/auth/prune-login-throttles";
import { authOptions } from "@/lib/auth/next-auth";
import { revokeApiToken } from "@/lib/auth/tokens";
import { prisma } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { listUsers } from "@/lib/users/list-users";
import { resetUserPassword } from "@/lib/users/reset-user-password";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

/** SIGNIN_LOCKOUT_FAILURES's default. */
const MAX_FAILURES = 5;

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

describe("password sign-in: one answer, lockout per account and address, throttle per address", () => {
  const from = (ipAddress: string) => ({ ipAddress, userAgent: "vitest", via: "test" });
  const reasons = async (userId: string) =>
    (await prisma.exportAuditLog.findMany({ where: { action: "login_failure", userId }, orderBy: { seq: "asc" }, select: { metadata: true } })).map((record) => (record.metadata as { reason: string }).reason);

  it("answers the same for a wrong password, an unknown email, a disabled and a locked account; only the audit trail says which", async () => {
    // Two failures lock here, to keep the password checks (~0.25 s each, more on a busy machine) few.
    process.env.SIGNIN_LOCKOUT_FAILURES = "2";
    resetEnvCache();
    try {
      const meta = from("10.0.1.1");
      const { user } = await createUser({ role: "ANALYST", password: "Correct-horse-1" });
      const { user: disabled } = await createUser({ role: "ANALYST", password: "Correct-horse-1" });
      await prisma.user.update({ where: { id: disabled.id }, data: { isDisabled: true } });
      const locked = await createUser({ role: "ANALYST", password: "Correct-horse-1" });
      for (let attempt = 0; attempt < 2; attempt++) expect(await verifyCredentials(locked.user.email, "wrong-password", meta)).toEqual({ ok: false });

      // What next-auth hands the login page: null (CredentialsSignin) for each of them.
      const authorize = (authOptions().providers.find((provider) => provider.id === "credentials") as unknown as { options: { authorize: (c: object, r: object) => Promise<unknown> } }).options.authorize;
      for (const [email, password] of [[user.email, "wrong-password"], ["nobody@nowhere.test", "whatever-123"], [disabled.email, "Correct-horse-1"], [locked.user.email, "Correct-horse-1"]]) {
        expect(await authorize({ email, password }, { headers: { "x-forwarded-for": meta.ipAddress! } }), email).toBeNull();
      }

      expect(await reasons(user.id)).toEqual(["wrong-password"]);
      expect(await reasons(disabled.id)).toEqual(["disabled"]);
      expect(await reasons(locked.user.id)).toEqual(["wrong-password", "wrong-password", "locked"]);
      const unknown = await prisma.exportAuditLog.findMany({ where: { action: "login_failure", actorLabel: "nobody@nowhere.test" }, select: { metadata: true } });
      expect(unknown.map((record) => record.metadata)).toEqual([{ reason: "unknown-email", via: "web" }]);
    } finally {
      delete process.env.SIGNIN_LOCKOUT_FAILURES;
      resetEnvCache();
    }
  }, 120_000);

  it("locks the account from the address that guessed, not from the owner's: a stranger cannot lock an admin out", async () => {
    const { user: admin } = await createUser({ role: "ADMIN", password: "Correct-horse-1" });
    for (let attempt = 0; attempt < MAX_FAILURES; attempt++) {
      expect(await verifyCredentials(admin.email, `guess-${attempt}`, from("203.0.113.50"))).toEqual({ ok: false });
    }
    // Even the right password is refused from the guessing address...
    expect(await verifyCredentials(admin.email, "Correct-horse-1", from("203.0.113.50"))).toEqual({ ok: false });
    // ...while the admin, from their own address, signs in.
    expect(await verifyCredentials(admin.email, "Correct-horse-1", from("198.51.100.7"))).toMatchObject({ ok: true, actor: { id: admin.id } });

    const lockouts = await prisma.exportAuditLog.findMany({ where: { action: "lockout", userId: admin.id } });
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatchObject({ ipAddress: "203.0.113.50", metadata: { scope: "account-address", minutes: 15, failures: MAX_FAILURES } });
    const row = await prisma.loginThrottle.findUniqueOrThrow({ where: { key: `account:${admin.id}:203.0.113.50` } });
    expect((row.lockedUntil!.getTime() - Date.now()) / 60_000).toBeGreaterThan(14);

    // When the lock has run out, the right password works from there too.
    await prisma.loginThrottle.update({ where: { key: row.key }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await verifyCredentials(admin.email, "Correct-horse-1", from("203.0.113.50"))).ok).toBe(true);
  }, 120_000);

  it("guesses sent at the same moment are counted before their passwords are checked: at most the limit are tried", async () => {
    const meta = from("10.0.3.3");
    const { user } = await createUser({ role: "ANALYST", password: "Correct-horse-1" });
    // Every attempt costs a password check (a refused one too, so it takes as long): 12 is enough.
    const results = await Promise.all(Array.from({ length: 12 }, (_, index) => verifyCredentials(user.email, `wrong-guess-${index}`, meta)));

    expect(results.every((result) => !result.ok)).toBe(true);
    expect((await reasons(user.id)).filter((reason) => reason === "wrong-password")).toHaveLength(MAX_FAILURES);
    expect(await verifyCredentials(user.email, "Correct-horse-1", meta)).toEqual({ ok: false });
    expect(await prisma.exportAuditLog.count({ where: { action: "lockout", userId: user.id } })).toBe(1);
  }, 120_000);

  it("pauses an address that fails too often across accounts, whatever account it tries next; other addresses go on", async () => {
    process.env.SIGNIN_IP_MAX_FAILURES = "6";
    resetEnvCache();
    try {
      const { user } = await createUser({ role: "THERAPIST", password: "Correct-horse-1" });
      const { user: other } = await createUser({ role: "THERAPIST", password: "Correct-horse-1" });
      const sprayer = from("192.0.2.77");
      // A success from the address is no failure: it does not count towards the pause.
      expect((await verifyCredentials(other.email, "Correct-horse-1", sprayer)).ok).toBe(true);
      for (let attempt = 0; attempt < 6; attempt++) await verifyCredentials(`spray-${attempt}@nowhere.test`, "Summer2026!", sprayer);

      expect(await verifyCredentials(user.email, "Correct-horse-1", sprayer)).toEqual({ ok: false });
      expect(await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "login_failure", ipAddress: "192.0.2.77" }, orderBy: { seq: "desc" } })).toMatchObject({ metadata: { reason: "address-throttled" } });
      const pauses = await prisma.exportAuditLog.findMany({ where: { action: "lockout", ipAddress: "192.0.2.77" }, select: { metadata: true, userId: true } });
      expect(pauses).toEqual([{ userId: null, metadata: { scope: "address", minutes: 15, failures: 6, via: "test" } }]);
      expect((await verifyCredentials(user.email, "Correct-horse-1", from("192.0.2.78"))).ok).toBe(true);
    } finally {
      delete process.env.SIGNIN_IP_MAX_FAILURES;
      resetEnvCache();
    }
  }, 120_000);

  it("attempts counted but never finished (a restart during the check) hold for the window, not for good", async () => {
    const meta = from("10.0.5.5");
    const { user } = await createUser({ role: "ANALYST", password: "Correct-horse-1" });
    const key = `account:${user.id}:${meta.ipAddress}`;
    await prisma.loginThrottle.create({ data: { key, failures: MAX_FAILURES, windowStart: new Date(Date.now() - 5 * 60_000) } });
    expect(await verifyCredentials(user.email, "Correct-horse-1", meta)).toEqual({ ok: false });

    await prisma.loginThrottle.update({ where: { key }, data: { windowStart: new Date(Date.now() - 16 * 60_000) } });
    expect((await verifyCredentials(user.email, "Correct-horse-1", meta)).ok).toBe(true);
  });

  it("an admin's password reset lifts the account's locks", async () => {
    const meta = from("10.0.6.6");
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user } = await createUser({ role: "ANALYST", password: "Correct-horse-1" });
    for (let attempt = 0; attempt < MAX_FAILURES; attempt++) await verifyCredentials(user.email, "wrong-password", meta);
    expect((await listUsers({ q: user.email, page: 1, page_size: 10 })).users[0]).toMatchObject({ is_locked: true });

    await resetUserPassword(user.id, { password: "Lantern-quiet-harbour-91" }, { userId: admin.id });

    expect((await listUsers({ q: user.email, page: 1, page_size: 10 })).users[0]).toMatchObject({ is_locked: false });
    expect((await verifyCredentials(user.email, "Lantern-quiet-harbour-91", meta)).ok).toBe(true);
  }, 120_000);

  it("forgets counters once their window and lock have passed", async () => {
    const old = new Date(Date.now() - 20 * 60_000);
    await prisma.loginThrottle.createMany({
      data: [
        { key: "ip:192.0.2.200", failures: 3, windowStart: old, updatedAt: old },
        { key: "ip:192.0.2.201", failures: 50, windowStart: old, updatedAt: old, lockedUntil: new Date(Date.now() + 60_000) },
        { key: "ip:192.0.2.202", failures: 1 },
      ],
    });

    await pruneLoginThrottles();

    const left = await prisma.loginThrottle.findMany({ where: { key: { startsWith: "ip:192.0.2.20" } }, select: { key: true } });
    expect(left.map((row) => row.key).sort()).toEqual(["ip:192.0.2.201", "ip:192.0.2.202"]);
  });
});
