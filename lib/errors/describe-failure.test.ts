import { describe, expect, it } from "vitest";

import { describeFailure } from "@/lib/errors/describe-failure";

describe("describeFailure", () => {
  it("names a Prisma code in words, without the error's message", () => {
    const error = Object.assign(new Error("Invalid `prisma.user.findMany()` invocation in\n/x.ts:11\nCan't reach database server at 127.0.0.1:1"), { code: "P1001", name: "PrismaClientKnownRequestError" });
    const line = describeFailure(error);
    expect(line).toBe("cannot reach the database server (check DATABASE_URL and that the server is running) (P1001)");
    expect(line).not.toContain("\n");
  });

  it("names system codes, and otherwise only the error's class, never its text", () => {
    expect(describeFailure(Object.assign(new Error("open '/secret/Jane Doe.json'"), { code: "ENOENT" }))).toBe("a file or folder it needs does not exist (ENOENT)");
    const line = describeFailure(new TypeError("Cannot read properties of Jane Doe"));
    expect(line).toMatch(/^unexpected failure \(TypeError\)/);
    expect(line).not.toContain("Jane");
    expect(describeFailure(Object.assign(new Error("x"), { name: "PrismaClientUnknownRequestError" }))).toBe("the database failed (PrismaClientUnknownRequestError)");
  });
});
