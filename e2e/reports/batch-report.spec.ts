import { readFile } from "node:fs/promises";

import { expect, test, type Page } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

async function openBatchPanel(page: Page) {
  await page.goto("/patients");
  const panel = page.getByTestId("batch-report");
  await panel.locator("summary").click();
  await expect(panel.getByTestId("batch-submit")).toBeVisible();

  return panel;
}

async function downloadFrom(page: Page, panel: ReturnType<Page["getByTestId"]>) {
  const downloadPromise = page.waitForEvent("download");
  await panel.getByTestId("batch-download").click();
  const download = await downloadPromise;

  return { name: download.suggestedFilename(), body: await readFile((await download.path())!) };
}

/** The number of entries a ZIP's end-of-central-directory record states. */
const zipEntryCount = (zip: Buffer) => zip.readUInt16LE(zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) + 10);

test("a therapist exports progress reports for the whole caseload as one ZIP, followed patient by patient", async ({ page }) => {
  await signInViaApi(page, "therapist");
  const panel = await openBatchPanel(page);
  await panel.getByTestId("batch-type").selectOption("progress_report");
  await panel.getByTestId("batch-format").selectOption("json");
  await panel.getByTestId("batch-start").fill("2024-01-01");
  await panel.getByTestId("batch-end").fill("2026-11-30");
  await panel.getByTestId("batch-scope-caseload").check();
  await panel.getByTestId("batch-submit").click();

  await expect(panel.getByTestId("batch-job-status")).toHaveText("completed", { timeout: 90_000 });
  const counted = (await panel.getByTestId("batch-job-patients").textContent())!;
  const [, done, total] = /(\d+) of (\d+) patients/.exec(counted)!;
  expect(Number(done)).toBe(Number(total));
  expect(Number(total)).toBeGreaterThan(1);

  const file = await downloadFrom(page, panel);
  expect(file.name).toMatch(/^progress_report_batch_\d{4}-\d{2}-\d{2}\.zip$/);
  expect(file.body.subarray(0, 2).toString("latin1")).toBe("PK");
  // One file per patient and the manifest.
  expect(zipEntryCount(file.body)).toBe(Number(total) + 1);
  expect(file.body.includes(Buffer.from("manifest.json"))).toBe(true);
});

test("a therapist ticks two patients for one combined PDF; ticking none is not possible and a bad period is named", async ({ page }) => {
  await signInViaApi(page, "therapist");
  const panel = await openBatchPanel(page);
  await panel.getByTestId("batch-scope-patients").check();
  await expect(panel.getByTestId("batch-submit")).toBeDisabled();
  const boxes = panel.getByTestId("batch-patient");
  await boxes.nth(0).check();
  await boxes.nth(1).check();

  await panel.getByTestId("batch-start").fill("2026-10-01");
  await panel.getByTestId("batch-end").fill("2026-09-01");
  await panel.getByTestId("batch-submit").click();
  await expect(panel.getByTestId("batch-error")).toContainText("End date");
  await expect(panel.getByTestId("batch-job")).toHaveCount(0);

  await panel.getByTestId("batch-start").fill("2024-01-01");
  await panel.getByTestId("batch-end").fill("2026-11-30");
  await panel.getByTestId("batch-format").selectOption("pdf");
  await panel.getByTestId("batch-combined").check();
  await panel.getByTestId("batch-submit").click();
  await expect(panel.getByTestId("batch-job-status")).toHaveText("completed", { timeout: 90_000 });
  await expect(panel.getByTestId("batch-job-patients")).toHaveText("2 of 2 patients");
  const file = await downloadFrom(page, panel);
  expect(file.name).toMatch(/^progress_report_batch_\d{4}-\d{2}-\d{2}\.pdf$/);
  expect(file.body.subarray(0, 5).toString("latin1")).toBe("%PDF-");
});
