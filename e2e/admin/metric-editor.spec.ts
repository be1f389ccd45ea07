import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

test("an admin defines a metric, sees a refusal named by field, changes it as a new version, and retires it; analysts see it on the Metrics tab", async ({ page, browser }) => {
  const id = `telehealth_sessions_${Date.now().toString(36)}`;
  await signInViaApi(page, "admin");
  await page.goto("/admin/metrics");
  await expect(page.locator('[data-testid="metric-entry"][data-metric-id="patient_count"]')).toBeVisible({ timeout: 30_000 });

  // A sum needs a column: refused, and the message says which field and why.
  await page.getByTestId("metric-new").click();
  const form = page.getByTestId("metric-form");
  await form.getByTestId("metric-id").fill(id);
  await form.getByTestId("metric-description").fill("Telehealth sessions per month.");
  await form.getByTestId("metric-source").selectOption("encounters");
  await form.getByTestId("metric-expression").selectOption("sum");
  await form.getByTestId("metric-save").click();
  await expect(page.getByTestId("metric-message")).toContainText(/column/i);
  await expect(page.getByTestId("metric-message")).toHaveClass(/alert-danger/);

  // Now a valid one: count of telehealth encounters per month of their start.
  await form.getByTestId("metric-expression").selectOption("count");
  await form.getByTestId("metric-time-column").selectOption("start_at");
  await form.getByTestId("metric-grain").selectOption("month");
  await form.getByTestId("metric-suppress").uncheck();
  await form.getByTestId("metric-filter-add").click();
  const filter = form.getByTestId("metric-filter");
  await filter.getByTestId("metric-filter-column").selectOption("delivery_format");
  await filter.getByTestId("metric-filter-value").fill("telehealth");
  await form.getByTestId("metric-save").click();
  await expect(page.getByTestId("metric-message")).toContainText(`Saved ${id}: version 1.`);
  const entry = page.locator(`[data-testid="metric-entry"][data-metric-id="${id}"]`);
  await expect(entry.getByTestId("metric-version")).toHaveText("v1");
  await expect(entry).toContainText('delivery_format = "telehealth"');

  // Analysts see it on the Metrics tab, with its series chart.
  const analystContext = await browser.newContext();
  const analyst = await analystContext.newPage();
  await signInViaApi(analyst, "analyst");
  await analyst.goto("/datasets");
  await analyst.getByTestId("tier-metrics").click();
  const section = analyst.locator(`[data-testid="metric"][data-metric-id="${id}"]`);
  await expect(section.getByRole("heading", { name: id })).toBeVisible({ timeout: 30_000 });
  await expect(section.getByTestId("metric-row").first()).toBeVisible();
  await expect(section.getByTestId("metric-series")).toBeVisible();
  expect(Number(await section.getByTestId("metric-series").getAttribute("data-points"))).toBeGreaterThan(1);
  await analystContext.close();

  // A change is saved as version 2; the history keeps both.
  await entry.getByTestId("metric-edit").click();
  await expect(form.getByTestId("metric-id")).toBeDisabled();
  await form.getByTestId("metric-description").fill("Telehealth and phone sessions per month.");
  await form.getByTestId("metric-filter").getByTestId("metric-filter-op").selectOption("in");
  await form.getByTestId("metric-filter").getByTestId("metric-filter-value").fill("telehealth, phone");
  await form.getByTestId("metric-save").click();
  await expect(page.getByTestId("metric-message")).toContainText(`Saved ${id}: version 2.`);
  await expect(entry.getByTestId("metric-version")).toHaveText("v2");
  await entry.getByTestId("metric-history").click();
  await expect(page.getByTestId("metric-history-version")).toHaveCount(2);

  // Retired: a version too, still listed with its history.
  page.once("dialog", (dialog) => void dialog.accept());
  await entry.getByTestId("metric-retire").click();
  await expect(page.getByTestId("metric-message")).toContainText(`Retired ${id} (version 3).`);
  await expect(entry).toHaveAttribute("data-status", "retired");
});

test("analysts cannot open the metrics catalog editor", async ({ page }) => {
  await signInViaApi(page, "analyst");
  await page.goto("/admin/metrics");
  await expect(page.getByTestId("metric-form")).toHaveCount(0);
  await expect(page.getByTestId("metric-list")).toHaveCount(0);
});
