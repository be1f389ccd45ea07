// Issue 17 item 7, outside the route wrapper: NUL and unpaired surrogates are refused on both
// databases wherever text comes in (a sign-in, an imported file), a 3,000-deep file is refused
// before anything walks it, and the CLI says what went wrong in one line, never in driver text.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

import { GET as fhirReadRoute } from "@/app/api/fhir/[type]/[id]/route";
import { GET as fhirSearchRoute } from "@/app/api/fhir/[type]/route";
import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { signInCookie } from "../setup/session";

const run = promisify(execFile);

function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ["--import", "tsx", "cli/index.ts", ...args], { cwd: process.cwd(), env: { ...process.env, ...env }, timeout: 120_000 }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? "", stderr: error.stderr ?? "" }),
  );
}

async function importFile(name: string, text: string) {
  const dir = await mkdtemp(path.join(tmpdir(), "careexport-import-"));
  const file = path.join(dir, name);
  await writeFile(file, text);

  return cli(["import", file]);
}

const patientJson = (id: string, family: string) => `{"resourceType":"Patient","id":"${id}","name":[{"family":"${family}","given":["Ada"]}],"gender":"female","birthDate":"1980-01-01"}`;

function expectNoDriverText(text: string) {
  for (const marker of ["prisma", "invocation", "PostgreSQL", "0x00", "invalid byte sequence", "    at "]) expect(text).not.toContain(marker);
}

describe("text that is not Unicode, on both databases", () => {
  it("refuses an imported file with NUL or an unpaired surrogate in a string, importing nothing, in words", async () => {
    const withNul = await importFile("nul.ndjson", `${patientJson("nul-1", "Clean")}\n${patientJson("nul-2", "Nul\\u0000Name")}\n`);
    expect(withNul.code).toBe(2);
    expect(withNul.stderr).toContain("resource 1.name.0.family: must not contain NUL characters");
    expectNoDriverText(withNul.stderr);

    const withSurrogate = await importFile("surrogate.json", `{"resourceType":"Bundle","type":"batch","entry":[{"resource":${patientJson("sur-1", "Half\\ud800")}}]}`);
    expect(withSurrogate.code).toBe(2);
    expect(withSurrogate.stderr).toContain("resource 0.name.0.family: contains an unpaired surrogate (not valid Unicode text)");
    expectNoDriverText(withSurrogate.stderr);
    expect(await prisma.patient.count({ where: { fhirId: { in: ["nul-1", "nul-2", "sur-1"] } } })).toBe(0);
  });

  it("refuses a 3,000-deep FHIR extension in an imported file before walking it", async () => {
    const extension = `{"url":"http://example.org/x","extension":[${'{"url":"http://example.org/x","extension":['.repeat(1500)}{"url":"http://example.org/y","valueString":"z"}${"]}".repeat(1500)}]}`;
    const deep = await importFile("deep.ndjson", `${patientJson("deep-cli-1", "Deep").replace(/}$/, `,"extension":[${extension}]}`)}\n`);
    expect(deep.code).toBe(2);
    expect(deep.stderr).toContain("(file): is nested more than 67 levels deep");
    expectNoDriverText(deep.stderr);
    expect(await prisma.patient.count({ where: { fhirId: "deep-cli-1" } })).toBe(0);
  });

  it("answers a sign-in carrying NUL as any failed sign-in, audited, with no database error", async () => {
    const password = "Quiet-harbour-lantern-42";
    const { user } = await createUser({ role: "THERAPIST", password });
    await expect(signInCookie(`${user.email}\u0000`, password, "10.7.0.1")).rejects.toThrow("CredentialsSignin");
    await expect(signInCookie(user.email, `${password}\ud800`, "10.7.0.1")).rejects.toThrow("CredentialsSignin");
    const failures = await prisma.exportAuditLog.findMany({ where: { action: "login_failure" }, select: { metadata: true } });
    expect(failures.filter((row) => (row.metadata as { reason?: string } | null)?.reason === "malformed-input")).toHaveLength(2);
    // The account itself is untouched and signs in.
    await expect(signInCookie(user.email, password, "10.7.0.1")).resolves.toMatch(/^next-auth\.session-token=/);
  });
});

describe("the FHIR API's ids and search parameters", () => {
  it("answers an unpaired surrogate in an id, and NUL or malformed encoding in a search, with a 400 OperationOutcome", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const read = await call(fhirReadRoute, { path: "/api/fhir/Patient/x", token, params: { type: "Patient", id: "\ud800" } });
    expect(read.status).toBe(400);
    expect(read.json).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "invalid", expression: ["id"] }] });

    for (const query of ["name=a%00b", "family=%FF"]) {
      const search = await call(fhirSearchRoute, { path: `/api/fhir/Patient?${query}`, token, params: { type: "Patient" } });
      expect(search.status, query).toBe(400);
      expect(search.json, query).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "invalid" }] });
    }
  });
});

describe("the CLI's failures", () => {
  it("prints one line in words when the database cannot be reached, never Prisma's text", async () => {
    const result = await cli(["schedules:list"], { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/careexport_unreachable" });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual(["schedules:list: cannot reach the database server (check DATABASE_URL and that the server is running) (P1001)"]);
  });
});
