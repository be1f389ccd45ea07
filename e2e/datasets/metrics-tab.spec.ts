import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

test("an analyst opens the Metrics tab, reads a metric's table and chart, and filters by organization", async ({ page }) => {
  await signInViaApi(page, "analyst");
  await page.goto("/datasets");
  await page.getByTestId("tier-metrics").click();

  const panel = page.getByTestId("metrics-panel");
  const patients = panel.locator('[data-testid="metric"][data-metric-id="patient_count"]');
  await expect(patients.getByRole("heading", { name: "patient_count" })).toBeVisible({ timeout: 30_000 });
  const rows = patients.getByTestId("metric-row");
  await expect(rows.first()).toBeVisible();
  const organizationsShown = new Set(await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-organization-id"))));
  expect(organizationsShown.size).toBeGreaterThan(1);
  await expect(patients.getByTestId("metric-chart")).toBeVisible();
  // A shown value is a number; a suppressed one says so and shows no number.
  for (const value of await rows.getByTestId("metric-value").allInnerTexts()) expect(value.trim()).toMatch(/^(\d[\d,]*|suppressed)$/);
  // The ZIP download stays on the tab.
  await expect(page.getByTestId("dataset-export-form")).toBeVisible();

  // One organization: every metric's rows are that organization's.
  const select = panel.getByTestId("metrics-organization");
  const chosen = [...organizationsShown].find((id) => id);
  expect(await select.locator(`option[value="${chosen}"]`).count()).toBe(1);
  await select.selectOption(chosen!);
  // Its patient count: one row per day of the series (the daily snapshots and today), all of that organization.
  const organizationsOf = (locator: typeof rows) => locator.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-organization-id")));
  await expect.poll(async () => [...new Set(await organizationsOf(patients.getByTestId("metric-row")))], { timeout: 30_000 }).toEqual([chosen]);
  const periods = await patients.getByTestId("metric-row").evaluateAll((elements) => elements.map((element) => element.getAttribute("data-period")));
  expect(new Set(periods).size).toBe(periods.length);
  const allShown = await panel.getByTestId("metric-row").evaluateAll((elements) => elements.map((element) => element.getAttribute("data-organization-id")));
  expect(allShown.length).toBeGreaterThan(0);
  expect(new Set(allShown)).toEqual(new Set([chosen]));

  // A period that ends before it starts is explained in words.
  await panel.getByTestId("metrics-period-start").fill("2026-05-01");
  await panel.getByTestId("metrics-period-end").fill("2026-04-01");
  await expect(panel.getByRole("status").filter({ hasText: "starts after it ends" })).toBeVisible();
});

test("at 390 px the Metrics tab does not scroll sideways", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInViaApi(page, "analyst");
  await page.goto("/datasets");
  await page.getByTestId("tier-metrics").click();
  await expect(page.locator('[data-testid="metric"][data-metric-id="patient_count"]').getByTestId("metric-row").first()).toBeVisible({ timeout: 30_000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
