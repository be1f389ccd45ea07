// Issue 20: a huge template preview is laid out in the compute pool of the production server, so
// the server keeps answering meanwhile; the PDF still comes back. Also checks the pool's workers
// load under `next start` (the worker entry is found beside the bundled app).
import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

/** 6,000 paragraphs: seconds of layout on a 2-core machine, within the default 30 s preview limit. */
const HUGE = `<h1>Long</h1>{% for i in (1..6000) %}<p>Paragraph {{ i }} for {{ patient.name }}: lorem ipsum dolor sit amet, consectetur.</p>{% endfor %}`;

test("a huge PDF preview renders while /api/health keeps answering", async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  await signInViaApi(page, "admin");
  const list = await page.request.get("/api/v1/export/templates?export_type=progress_report");
  expect(list.status()).toBe(200);
  const { templates } = (await list.json()) as { templates: { id: string }[] };
  // Any progress-report template: the preview names its format, and the content is the editor's.
  const id = templates[0]!.id;
  const url = `/api/v1/export/templates/${id}/preview`;

  // A small preview first: the pool's worker starts and renders under next start.
  const small = await page.request.post(url, { data: { format: "pdf", template_content: "<p>Hello {{ patient.name }}</p>" }, headers: { origin: baseURL! } });
  expect(small.status()).toBe(200);
  expect((await small.body()).subarray(0, 5).toString()).toBe("%PDF-");

  let isDone = false;
  const huge = page.request.post(url, { data: { format: "pdf", template_content: HUGE }, headers: { origin: baseURL! }, timeout: 230_000 }).finally(() => {
    isDone = true;
  });
  const latencies: number[] = [];
  while (!isDone) {
    const started = Date.now();
    const health = await page.request.get("/api/health");
    latencies.push(Date.now() - started);
    expect(health.status()).toBe(200);
    await page.waitForTimeout(100);
  }

  const response = await huge;
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("application/pdf");
  expect((await response.body()).subarray(0, 5).toString()).toBe("%PDF-");
  // Generous bounds for a shared machine: on the request thread every check waited for the whole layout.
  expect(latencies.length).toBeGreaterThanOrEqual(5);
  expect(Math.max(...latencies)).toBeLessThan(2_000);
});
