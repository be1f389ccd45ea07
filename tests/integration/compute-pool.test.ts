// Heavy work off the request thread (issue 20): a huge template preview lays out in the compute
// pool while /api/health keeps answering, a preview over its time limit is refused with a clear
// 413, and the next preview works.
import { afterEach, describe, expect, it } from "vitest";

import { GET as healthRoute } from "@/app/api/health/route";
import { POST as previewRoute } from "@/app/api/v1/export/templates/[id]/preview/route";
import { POST as createRoute } from "@/app/api/v1/export/templates/route";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { resetEnvCache } from "@/lib/env";
import { drainJobs } from "@/lib/jobs/runner";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { createClinicalPatient, createOrganization } from "./dataset-helpers";

/** About 1 MB of HTML once rendered: 10,000 paragraphs, many seconds of layout on this machine. */
const HUGE = `<h1>Long</h1>{% for i in (1..10000) %}<p>Paragraph {{ i }} for {{ patient.name }}: lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>{% endfor %}`;

async function adminWithTemplate(content: string) {
  const { user } = await createUser({ role: "ADMIN" });
  const token = await tokenFor(user.id);
  const created = await call(createRoute, {
    path: "/api/v1/export/templates",
    token,
    body: { name: `Long ${Math.random()}`, export_type: "progress_report", format: "pdf", template_content: content, include_sections: {} },
  });
  expect(created.status).toBe(201);

  return { token, id: created.json.id as string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls /api/health every 50 ms until `work` settles (each answer must be 200); the latencies. */
async function healthLatenciesWhile(work: Promise<unknown>) {
  let isDone = false;
  void work.finally(() => {
    isDone = true;
  }).catch(() => undefined);
  const latencies: number[] = [];
  while (!isDone) {
    const started = performance.now();
    const health = await call(healthRoute, { path: "/api/health" });
    latencies.push(performance.now() - started);
    expect(health.status).toBe(200);
    await sleep(50);
  }

  return latencies;
}

afterEach(() => {
  delete process.env.PREVIEW_RENDER_SECONDS;
  resetEnvCache();
});

describe("compute pool in the request path", () => {
  it("keeps /api/health answering while a huge PDF preview lays out", { timeout: 300_000 }, async () => {
    // Room for a slow, shared machine: this test is about the health checks, not the limit.
    process.env.PREVIEW_RENDER_SECONDS = "240";
    resetEnvCache();
    const { token, id } = await adminWithTemplate(HUGE);
    const preview = call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "pdf" } });
    const latencies = await healthLatenciesWhile(preview);

    const result = await preview;
    expect(result.status).toBe(200);
    expect(result.headers.get("content-type")).toBe("application/pdf");
    // The layout took a while (several health checks fitted in), and no check waited on it.
    // Generous bound for a busy shared machine: on the request thread each check waited seconds.
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  });

  it("keeps /api/health answering while a huge PDF preview and a dataset export run together", { timeout: 300_000 }, async () => {
    process.env.PREVIEW_RENDER_SECONDS = "240";
    resetEnvCache();
    // 20,000 encounters with free text to scrub, run by the job runner in this process (JOB_RUNNER=inline's path).
    const organization = await createOrganization();
    const practitioner = await prisma.practitioner.create({ data: { fhirId: `prac-${Math.random()}`, givenName: "Rhea", familyName: "Okonkwo", organizationId: organization.id, raw: {} } });
    const patients: Awaited<ReturnType<typeof createClinicalPatient>>[] = [];
    for (let index = 0; index < 20; index++) patients.push(await createClinicalPatient({ organizationId: organization.id, practitionerId: practitioner.id, givenName: `Ysolde${index}`, familyName: "Marchbanks" }));
    const start = Date.UTC(2024, 0, 1);
    await prisma.encounter.createMany({
      data: Array.from({ length: 20_000 }, (_, index) => ({
        fhirId: `resp-enc-${index}-${Math.random()}`,
        patientId: patients[index % patients.length]!.id,
        practitionerId: practitioner.id,
        status: "finished",
        startAt: new Date(start + index * 60_000),
        reasonText: `Follow-up ${index}: sleep and mood reviewed, plan continued.`,
        raw: {},
      })),
    });
    const { token, id } = await adminWithTemplate(HUGE);
    const { actor } = await createUser({ role: "ANALYST" });
    const job = await createDatasetExport(actor, { tier: "anon", datasets: ["encounters"] });

    const work = Promise.all([call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "pdf" } }), drainJobs()]);
    const latencies = await healthLatenciesWhile(work);

    const [preview] = await work;
    expect(preview.status).toBe(200);
    const finished = await prisma.exportJob.findUniqueOrThrow({ where: { id: job.job_id } });
    expect(finished.status, finished.errorMessage ?? "").toBe("COMPLETED");
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    // Generous, as above: a check that waited for a whole dataset or layout would take seconds.
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  });

  it("refuses a preview over its time limit with 413 and the reason, and the next preview works", { timeout: 180_000 }, async () => {
    process.env.PREVIEW_RENDER_SECONDS = "1";
    resetEnvCache();
    const { token, id } = await adminWithTemplate(HUGE);

    const refused = await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "pdf" } });
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({ error: "The document is too large to lay out within 1 s.", issues: [{ path: "template" }] });

    const small = await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "docx", template_content: "<p>Short for {{ patient.name }}</p>" } });
    expect(small.status).toBe(200);
    expect(small.headers.get("content-type")).toContain("wordprocessingml");
  });

  it("reports a template error found in the worker as a 400 naming the line", { timeout: 60_000 }, async () => {
    const { token, id } = await adminWithTemplate("<p>ok</p>");
    const bad = await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "pdf", template_content: "<p>ok</p>\n{{ patient.nope }}" } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ issues: [{ path: "template_content", message: expect.stringMatching(/line 2/) }] });
  });
});
