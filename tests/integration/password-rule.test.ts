// One password rule wherever a password is set: the admin API (create, reset) and the CLI. A
// weak one is a 400 naming `password` with zxcvbn's reason, and nothing is written.
import { describe, expect, it } from "vitest";

import { POST as passwordRoute } from "@/app/api/v1/admin/users/[id]/password/route";
import { POST as createUserRoute } from "@/app/api/v1/admin/users/route";
import { run as usersCreateCli } from "@/cli/commands/users-create";
import { verifyPassword } from "@/lib/auth/password";
import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

describe("the password rule", () => {
  it("the admin API refuses weak passwords on create with the reason, and creates nothing", async () => {
    const token = await tokenFor((await createUser({ role: "ADMIN" })).user.id);
    const body = { email: "maya.weak@example.org", name: "Maya Weakly", role: "therapist" };

    for (const [password, reason] of [
      ["password12", /^must be at least 12 characters$/],
      ["password1234", /^is too easy to guess\. This is similar to a commonly used password/],
      ["MayaWeakly2026!", /^is too easy to guess without your name and email in it/],
    ] as const) {
      const refused = await call(createUserRoute, { token, body: { ...body, password } });
      expect(refused.status, password).toBe(400);
      expect(refused.json.issues, password).toEqual([{ path: "password", message: expect.stringMatching(reason) }]);
    }
    expect(await prisma.user.count({ where: { email: body.email } })).toBe(0);

    expect((await call(createUserRoute, { token, body: { ...body, password: "Lantern-quiet-harbour-91" } })).status).toBe(201);
  });

  it("a reset obeys the same rule, judged against the user's own name and email", async () => {
    const token = await tokenFor((await createUser({ role: "ADMIN" })).user.id);
    const { user } = await createUser({ role: "ANALYST", name: "Priya Ramanathan", email: `priya.ramanathan.${Date.now()}@example.org`, password: "Quiet-harbour-lantern-42" });

    const weak = await call(passwordRoute, { token, params: { id: user.id }, body: { password: "Ramanathan2026!" } });
    expect(weak.status).toBe(400);
    expect(weak.json.issues).toEqual([{ path: "password", message: expect.stringMatching(/without your name and email/) }]);
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true, sessionVersion: true } });
    expect(await verifyPassword("Quiet-harbour-lantern-42", stored.passwordHash)).toBe(true);
    expect(stored.sessionVersion).toBe(0);
  });

  it("the CLI's users:create refuses a weak password with the same reason", async () => {
    await expect(usersCreateCli(["--email", "cli.weak@example.org", "--name", "Cli Weak", "--role", "analyst", "--password", "1234567890ab"])).rejects.toMatchObject({
      code: "INVALID_INPUT",
      issues: [{ path: "password", message: expect.stringMatching(/^is too easy to guess/) }],
    });
    expect(await prisma.user.count({ where: { email: "cli.weak@example.org" } })).toBe(0);
  });
});
