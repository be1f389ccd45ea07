// Polish (issue 23): at 390 px the sidebar is a menu and no page scrolls sideways (item 14; the
// screenshots land in test-results for a person to look at); messages are in words, said once
// (item 13); a datasets tab shows only its own export's progress (item 9).
import { expect, type Page, test } from "@playwright/test";

import { signInRequest, signInViaApi } from "../fixtures/auth";

async function sidewaysOverflow(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test("at 390 px the sidebar collapses into a menu and no page scrolls sideways", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const role of ["therapist", "admin", "analyst"] as const) {
    await page.context().clearCookies();
    await signInViaApi(page, role);
    const paths = role === "therapist" ? ["/patients", "/exports", "/schedules", "/schedules/new"] : role === "admin" ? ["/admin", "/admin/users", "/admin/audit", "/admin/templates", "/exports"] : ["/datasets"];
    for (const path of paths) {
      await page.goto(path);
      await expect(page.locator("main h1").first()).toBeVisible();
      expect(await sidewaysOverflow(page), `${role} ${path}`).toBe(0);
      await page.screenshot({ path: testInfo.outputPath(`390-${role}${path.replaceAll("/", "-")}.png`), fullPage: true });
    }
  }

  // The menu: closed, it hides the navigation; open, it shows it and the user's block.
  await page.context().clearCookies();
  await signInViaApi(page, "admin");
  await page.goto("/exports");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  await page.getByTestId("menu-toggle").click();
  await expect(nav).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("390-menu-open.png") });
  await nav.getByRole("link", { name: "Audit trail" }).click();
  await expect(page).toHaveURL(/\/admin\/audit/);
  await expect(nav).toBeHidden();
});

test("a refused period names the field in words, once", async ({ page }) => {
  await signInViaApi(page, "therapist");
  await page.goto("/patients");
  await page.locator("table tbody tr").first().getByRole("link").click();
  const panel = page.getByTestId("export-panel");
  await panel.getByTestId("export-start").fill("2026-10-01");
  await panel.getByTestId("export-end").fill("2026-09-01");
  await panel.getByTestId("export-submit").click();
  const error = panel.getByTestId("export-error");
  await expect(error).toContainText("End date");
  const text = await error.innerText();
  expect(text).not.toMatch(/end_date|start_date|include_sections|schedule_config/);
  // Each reason once.
  const reasons = text.split(/;\s*/);
  expect(new Set(reasons).size).toBe(reasons.length);
  expect(text.match(/End date/g)).toHaveLength(1);
});

test("the Metrics tab does not show the progress of an export started on another tab", async ({ page, baseURL }) => {
  test.setTimeout(150_000);
  // An analyst of this test's own: dataset exports are limited per user and hour.
  await signInViaApi(page, "admin");
  const email = `metrics-tab-${Date.now()}@e2e.example`;
  const password = "Willow-orbit-canvas-58";
  expect((await page.request.post("/api/v1/admin/users", { data: { email, name: "Mia Metrics", role: "analyst", password }, headers: { origin: baseURL! } })).status()).toBe(201);
  await page.context().clearCookies();
  await signInRequest(page.context().request, email, password);
  await page.goto("/datasets");
  await expect(page.getByTestId("dataset-row").first()).toBeVisible();
  await page.getByTestId("dataset-attestation").check();
  await page.getByTestId("dataset-start").click();
  await expect(page.getByTestId("dataset-progress")).toBeVisible({ timeout: 30_000 });

  await page.getByTestId("tier-metrics").click();
  await expect(page.getByTestId("dataset-row").first()).toBeVisible();
  await expect(page.getByTestId("dataset-progress")).toHaveCount(0);
  await page.getByTestId("tier-anon").click();
  await expect(page.getByTestId("dataset-progress")).toBeVisible();
});
