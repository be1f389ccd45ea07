import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

test("an analyst is refused the patients page and the patients API", async ({ page }) => {
  await signInViaApi(page, "analyst");
  await page.goto("/patients");
  await expect(page.getByRole("heading", { name: "No access" })).toBeVisible();
  const api = await page.request.get("/api/v1/patients");
  expect(api.status()).toBe(403);
});

test("a therapist is refused the admin console and sees no admin menu", async ({ page }) => {
  await signInViaApi(page, "therapist");
  await page.goto("/admin/audit");
  await expect(page.getByRole("heading", { name: "No access" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Audit trail" })).toHaveCount(0);
});
