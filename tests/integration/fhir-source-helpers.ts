// A second CareExport instance as the FHIR source (tests/setup/fhir-source-server.ts, its own
// process and database), data written to it through its own import API, and the target's admin
// API called through its real route handlers.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { POST as syncRoute } from "@/app/api/v1/admin/fhir-sources/[id]/sync/route";
import { GET as sourcesGet, POST as sourcesPost } from "@/app/api/v1/admin/fhir-sources/route";
import { prisma } from "@/lib/db/client";
import { encodeSessionNote } from "@/lib/fhir/session-note-content";
import { drainJobs } from "@/lib/jobs/runner";

import { call } from "../setup/http";
import { createTestDatabase, type TTestDatabase } from "../setup/test-database";

export type TSourceInstance = { baseUrl: string; adminToken: string; stop: () => Promise<void>; output: () => string };

export async function startSourceInstance(options: { withoutBulk?: boolean } = {}): Promise<TSourceInstance> {
  const database: TTestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), "careexport-source-"));
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
  const child: ChildProcess = spawn(tsx, ["tests/setup/fhir-source-server.ts"], {
    env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, STORAGE_DIR: path.join(dataDir, "files"), WITHOUT_BULK: options.withoutBulk ? "1" : "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const until = Date.now() + 50_000;
  while (!output.includes('"baseUrl"')) {
    if (Date.now() > until || child.exitCode !== null) throw new Error(`the source instance did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const started = JSON.parse(output.split("\n").find((line) => line.includes('"baseUrl"'))!) as { baseUrl: string; adminToken: string };

  return {
    ...started,
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Writes a batch Bundle to the source through its own FHIR import API. */
export async function importAtSource(source: TSourceInstance, resources: Record<string, unknown>[]) {
  const answer = await fetch(source.baseUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${source.adminToken}`, "content-type": "application/fhir+json" },
    body: JSON.stringify({ resourceType: "Bundle", type: "batch", entry: resources.map((resource) => ({ resource })) }),
  });
  if (answer.status !== 200) throw new Error(`the source's import answered ${answer.status}: ${await answer.text()}`);
}

const ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";

/** A small practice: one organization, one practitioner, two patients with an encounter, a condition, a GAD-7 and a note. */
export function practice(prefix: string) {
  const resources: Record<string, unknown>[] = [
    { resourceType: "Organization", id: `${prefix}-org`, name: "Source Clinic" },
    { resourceType: "Practitioner", id: `${prefix}-prac`, name: [{ family: "Rivera", given: ["Sam"] }], identifier: [{ system: "http://hl7.org/fhir/sid/us-npi", value: "1234567893" }] },
  ];
  for (const n of [1, 2]) {
    const patient = `${prefix}-pat-${n}`;
    resources.push(
      { resourceType: "Patient", id: patient, name: [{ family: `Source${n}`, given: ["Pat"] }], birthDate: "1980-02-03", telecom: [{ system: "phone", value: `413-555-770${n}` }], identifier: [{ system: "https://careexport.example/fhir/sid/mrn", value: `MRN-${prefix}-${n}` }] },
      {
        resourceType: "Encounter",
        id: `${prefix}-enc-${n}`,
        status: "finished",
        subject: { reference: `Patient/${patient}` },
        participant: [{ individual: { reference: `Practitioner/${prefix}-prac` } }],
        period: { start: "2026-10-01T14:00:00Z", end: "2026-10-01T14:45:00Z" },
        type: [{ coding: [{ system: "http://www.ama-assn.org/go/cpt", code: "90834" }] }],
      },
      { resourceType: "Condition", id: `${prefix}-cond-${n}`, subject: { reference: `Patient/${patient}` }, code: { coding: [{ system: ICD10, code: "F41.1", display: "Generalized anxiety disorder" }] } },
      {
        resourceType: "QuestionnaireResponse",
        id: `${prefix}-qr-${n}`,
        questionnaire: "https://careexport.example/fhir/Questionnaire/gad-7",
        status: "completed",
        subject: { reference: `Patient/${patient}` },
        authored: "2026-10-01T13:50:00Z",
        item: [1, 2, 3, 4, 5, 6, 7].map((item) => ({ linkId: `gad7-${item}`, answer: [{ valueInteger: 2 }] })),
      },
      {
        resourceType: "DocumentReference",
        id: `${prefix}-note-${n}`,
        status: "current",
        docStatus: "final",
        subject: { reference: `Patient/${patient}` },
        date: "2026-10-01T15:00:00Z",
        author: [{ reference: `Practitioner/${prefix}-prac` }],
        content: [{ attachment: encodeSessionNote({ subjective: "Client reports less worry.", plan: "Continue CBT." }) }],
        context: { encounter: [{ reference: `Encounter/${prefix}-enc-${n}` }] },
      },
    );
  }

  return resources;
}

export async function registerSource(token: string, body: Record<string, unknown>) {
  return call(sourcesPost, { method: "POST", path: "/api/v1/admin/fhir-sources", token, body });
}

export async function listSources(token: string) {
  return call(sourcesGet, { path: "/api/v1/admin/fhir-sources", token });
}

/** Sync now, run the job here (drainJobs), and the run as recorded. */
export async function syncNow(token: string, sourceId: string) {
  const started = await call(syncRoute, { method: "POST", path: `/api/v1/admin/fhir-sources/${sourceId}/sync`, token, params: { id: sourceId } });
  if (started.status !== 202) throw new Error(`sync answered ${started.status}: ${started.text}`);
  await drainJobs();
  const run = await prisma.fhirSourceSync.findUniqueOrThrow({ where: { id: started.json.id as string } });
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: run.jobId! } });

  return { run, job };
}
