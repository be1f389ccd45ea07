// A therapist previews the report in the page before exporting it, the finished PDF opens in the
// browser (issue 23, item 6), file names say what they are (item 7), and the template menu names
// the standard template once (item 15).
import { expect, type Page, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

async function openFirstPatient(page: Page) {
  await page.goto("/patients");
  await page.locator("table tbody tr").first().getByRole("link").click();
  await expect(page.getByTestId("export-panel")).toBeVisible();

  return page.getByTestId("export-panel");
}

test("a therapist previews the progress report as a PDF in the page, with the chosen period and sections", async ({ page }) => {
  await signInViaApi(page, "therapist");
  const panel = await openFirstPatient(page);
  await panel.getByTestId("export-type").selectOption("progress_report");
  // One name for the standard template: it is not listed a second time under its own name.
  const templateOptions = await panel.getByTestId("export-template").locator("option").allInnerTexts();
  expect(templateOptions[0]).toBe("Standard template");
  expect(templateOptions.filter((text) => /standard/i.test(text))).toHaveLength(1);

  await panel.getByTestId("export-start").fill("2024-01-01");
  await panel.getByTestId("export-end").fill("2026-11-30");
  await panel.getByTestId("section-diagnosis").uncheck();
  const previewResponse = page.waitForResponse((response) => response.url().includes("/api/v1/export/preview/progress-report"));
  await panel.getByTestId("export-preview").click();
  const response = await previewResponse;
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("application/pdf");
  const request = JSON.parse(response.request().postData()!);
  expect(request).toMatchObject({ start_date: "2024-01-01", end_date: "2026-11-30", include_sections: { diagnosis: false } });
  // The same request, sent again, answers with the PDF bytes (the page's own copy became the frame's object URL).
  const again = await page.request.post("/api/v1/export/preview/progress-report", { data: request, headers: { origin: new URL(page.url()).origin } });
  expect((await again.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  await expect(panel.getByTestId("export-preview-frame")).toBeVisible();
  await expect(panel.getByTestId("export-preview-panel")).toContainText("2024-01-01 to 2026-11-30");
  // Nothing was queued by looking.
  await expect(panel.getByTestId("export-job")).toHaveCount(0);
});

test("a finished PDF opens inline; a FHIR export is named .fhir.json with the report date", async ({ page }) => {
  await signInViaApi(page, "therapist");
  const panel = await openFirstPatient(page);
  await panel.getByTestId("export-type").selectOption("progress_report");
  await panel.getByTestId("export-format").selectOption("pdf");
  await panel.getByTestId("export-submit").click();
  await expect(panel.getByTestId("export-job-status")).toHaveText("completed", { timeout: 45_000 });
  const openHref = await panel.getByTestId("export-open").getAttribute("href");
  const inline = await page.request.get(openHref!);
  expect(inline.headers()["content-disposition"]).toMatch(/^inline; filename="progress_report_.+\.pdf"$/);

  await panel.getByTestId("export-format").selectOption("fhir");
  await panel.getByTestId("export-submit").click();
  await expect(panel.getByTestId("export-job-status")).toHaveText("completed", { timeout: 45_000 });
  const downloadPromise = page.waitForEvent("download");
  await panel.getByTestId("export-download").click();
  const download = await downloadPromise;
  const today = new Date().toISOString().slice(0, 10);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^progress_report_P-[a-z]{16}_${today}\\.fhir\\.json$`));
});
