// The headless export (`npm run cli -- export:datasets`), run as a real process against this
// file's database: the ZIP it writes, the progress it prints, its audit records, and its refusals.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { beforeAll, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";

import { describeProgress } from "../../cli/commands/export-datasets";
import { createUser } from "../setup/fixtures";
import { createClinicalPatient, createOrganization, parseCsv, type TClinicalPatient, unzipEntries } from "./dataset-helpers";

const run = promisify(execFile);

function cli(...args: string[]) {
  return run(process.execPath, ["--import", "tsx", "cli/index.ts", ...args], { cwd: process.cwd(), env: process.env, timeout: 120_000 }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? "", stderr: error.stderr ?? "" }),
  );
}

let patients: TClinicalPatient[] = [];

beforeAll(async () => {
  const organization = await createOrganization();
  const practitioner = await prisma.practitioner.create({ data: { fhirId: "prac-cli", givenName: "Dana", familyName: "Whitfield", organizationId: organization.id, raw: {} } });
  patients = [
    await createClinicalPatient({ organizationId: organization.id, practitionerId: practitioner.id, givenName: "Ottoline", familyName: "Brackenridge" }),
    await createClinicalPatient({ organizationId: organization.id, practitionerId: practitioner.id, givenName: "Percival", familyName: "Zeffirelli" }),
  ];
});

describe("export:datasets", () => {
  it("writes the de-identified ZIP into a folder, prints where and its sha256, and audits the export and the download as the command line's", async () => {
    const analyst = await createUser({ role: "ANALYST" });
    const out = await mkdtemp(path.join(tmpdir(), "careexport-cli-"));

    const result = await cli("export:datasets", "--tier", "anon", "--datasets", "patient_anon,encounters", "--out", out, "--as", analyst.user.email);
    expect(result.code).toBe(0);
    const [fileName] = await readdir(out);
    expect(fileName).toMatch(/^careexport_anon_\d{8}_\d{6}\.zip$/);
    const file = path.join(out, fileName!);
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe("600");
    const job = await prisma.exportJob.findFirstOrThrow({ where: { userId: analyst.user.id, kind: "dataset" } });
    expect(job.status).toBe("COMPLETED");
    expect(result.stdout).toContain(`${file} (${job.fileSize} bytes, sha256 ${job.checksum})`);
    // Progress goes to stderr, so stdout stays the result alone.
    expect(result.stderr).toContain(`Queued dataset export ${job.id}`);

    const entries = unzipEntries(await readFile(file));
    expect([...entries.keys()].sort()).toEqual(["encounters.csv", "manifest.json", "patient_anon.csv"]);
    expect(parseCsv(entries.get("patient_anon.csv")!)).toHaveLength(patients.length);
    expect(parseCsv(entries.get("encounters.csv")!)).toHaveLength(patients.length);
    const text = [...entries.values()].join("\n");
    for (const patient of patients) for (const value of [patient.familyName!, patient.phone!, patient.email!]) expect(text).not.toContain(value);

    const records = await prisma.exportAuditLog.findMany({ where: { exportJobId: job.id }, orderBy: { seq: "asc" } });
    expect(records.map((record) => record.action)).toEqual(expect.arrayContaining(["export_created", "export_completed", "downloaded"]));
    for (const action of ["export_created", "downloaded"]) {
      expect(records.find((record) => record.action === action)).toMatchObject({ userId: analyst.user.id, metadata: expect.objectContaining({ via: "cli" }) });
    }
  });

  it("names a bad flag and refuses a tier the user may not export, auditing the refusal", async () => {
    const analyst = await createUser({ role: "ANALYST" });
    const out = await mkdtemp(path.join(tmpdir(), "careexport-cli-"));

    const badSince = await cli("export:datasets", "--tier", "anon", "--since", "2026-13-45", "--out", out, "--as", analyst.user.email);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain("since: is not a real calendar date");

    const noOut = await cli("export:datasets", "--tier", "anon", "--as", analyst.user.email);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain("--out");

    const pii = await cli("export:datasets", "--tier", "pii", "--reason", "cohort study", "--out", out, "--as", analyst.user.email);
    expect(pii.code).toBe(1);
    expect(pii.stderr).toContain("You do not have access to this");
    expect(await readdir(out)).toEqual([]);
    const denial = await prisma.exportAuditLog.findFirstOrThrow({ where: { userId: analyst.user.id, action: "access_denied" } });
    expect(denial).toMatchObject({ outcome: "denied", dataset: "pii", metadata: expect.objectContaining({ via: "cli", policyAction: "dataset.export" }) });
    expect(await prisma.exportJob.count({ where: { userId: analyst.user.id } })).toBe(0);
  });
});

describe("describeProgress", () => {
  it("names the stage, and the rows of the dataset being written", () => {
    const datasets = { encounters: { rows: 210_000, total: 500_000 }, patient_anon: { rows: 20_000, total: 20_000, done: true } };
    expect(describeProgress({ percent: 42.7, stage: "writing encounters", datasets })).toBe("42% writing encounters: 210,000 of 500,000 rows");
    expect(describeProgress({ percent: 97.2, stage: "release scan: 40% of the file", datasets })).toBe("97% release scan: 40% of the file");
    expect(describeProgress({ percent: 0 })).toBe("0% working");
  });
});
