import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

// The FHIR sources page against the app's own FHIR API as the source: a refused field is named in
// words, a registered source's token is never shown, and Sync now runs a real fhir_sync job whose
// outcome (the source refuses the wrong token: HTTP 401) appears on the page.
test("an admin registers a FHIR source, syncs it, and sees the run's outcome; the token is never shown", async ({ page, baseURL }) => {
  await signInViaApi(page, "admin");
  await page.goto("/admin/fhir-sources");

  await page.getByTestId("fhir-source-name").fill("e2e-source");
  await page.getByTestId("fhir-source-url").fill("http://10.9.8.7/fhir");
  await page.getByTestId("fhir-source-token").fill("e2e-wrong-token-0000");
  await page.getByTestId("fhir-source-register").click();
  // An internal address that the operator did not allow-list is refused, the field named in words.
  await expect(page.getByTestId("fhir-source-message")).toContainText(/address/i);

  await page.getByTestId("fhir-source-url").fill(`${baseURL}/api/fhir`);
  await page.getByTestId("fhir-source-register").click();
  await expect(page.getByTestId("fhir-source-message")).toContainText('Registered "e2e-source"');
  const card = page.getByTestId("fhir-source-card").filter({ hasText: "e2e-source" });
  await expect(card).toContainText("Bearer token");
  await expect(card).toContainText("the next run takes everything");
  await expect(page.locator("body")).not.toContainText("e2e-wrong-token-0000");

  await card.getByTestId("fhir-source-sync").click();
  await expect(page.getByTestId("fhir-source-message")).toContainText("queued");
  // The in-process worker runs the job; Refresh until it has ended.
  await expect(async () => {
    await card.getByRole("button", { name: "Refresh" }).click();
    await expect(card.getByTestId("fhir-source-last-sync")).toContainText("failed", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(card.getByTestId("fhir-source-last-sync")).toContainText("HTTP 401");

  page.once("dialog", (dialog) => dialog.accept());
  await card.getByTestId("fhir-source-remove").click();
  await expect(page.getByTestId("fhir-source-card").filter({ hasText: "e2e-source" })).toHaveCount(0);
});
