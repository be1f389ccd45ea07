import { readFile } from "node:fs/promises";

import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

test("an analyst exports the de-identified tier, watches progress and downloads the ZIP", async ({ page }) => {
  // The whole demo programme is exported and release-scanned; give a loaded CI machine room.
  test.setTimeout(150_000);
  await signInViaApi(page, "analyst");
  await page.goto("/datasets");
  await expect(page.getByTestId("dataset-row").first()).toBeVisible();
  await expect(page.getByTestId("dataset-start")).toBeDisabled();
  // A "dated from" day filters the dated tables only; the page says which.
  await expect(page.getByTestId("dataset-since-hint")).toContainText(/encounters.*exported whole/);
  await page.getByTestId("dataset-attestation").check();
  await page.getByTestId("dataset-start").click();

  const progress = page.getByTestId("dataset-progress");
  await expect(progress.getByTestId("dataset-progress-row").first()).toBeVisible({ timeout: 30_000 });
  await expect(progress.getByTestId("dataset-status")).toHaveText("completed", { timeout: 90_000 });

  const downloadPromise = page.waitForEvent("download");
  await progress.getByTestId("dataset-download").click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^careexport_anon_\d{8}_\d{6}\.zip$/);
  const zip = await readFile((await download.path())!);
  expect(zip.subarray(0, 2).toString("latin1")).toBe("PK");
  expect(zip.includes(Buffer.from("manifest.json"))).toBe(true);
  expect(zip.includes(Buffer.from("patient_anon.csv"))).toBe(true);
});

test("a therapist is refused the datasets page and the datasets API", async ({ page, baseURL }) => {
  await signInViaApi(page, "therapist");
  await page.goto("/datasets");
  await expect(page.getByRole("heading", { name: "No access" })).toBeVisible();
  const api = await page.request.post("/api/v1/datasets/exports", { data: { tier: "anon", attestation: true }, headers: { origin: baseURL! } });
  // Sent from our own origin, so the refusal is the role's, not the cross-site guard's.
  expect(api.status()).toBe(403);
  expect(((await api.json()) as { error: string }).error).toBe("You do not have access to this");
});
