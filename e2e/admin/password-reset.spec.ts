import { expect, test } from "@playwright/test";

import { signInRequest, signInViaApi } from "../fixtures/auth";

test("an admin's password reset signs the user out of a session already open; the new password signs in", async ({ page, browser, baseURL }) => {
  await signInViaApi(page, "admin");
  // A user of this test's own: other specs sign in the demo users with their demo passwords.
  const email = `reset-${Date.now()}@e2e.example`;
  // A cookie-authenticated change must come from our own origin, as the console's own fetch does.
  const created = await page.request.post("/api/v1/admin/users", { data: { email, name: "Rita Reset", role: "analyst", password: "Initial!2026pass" }, headers: { origin: baseURL! } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  const user = await browser.newPage();
  await signInRequest(user.context().request, email, "Initial!2026pass");
  await user.goto("/datasets");
  await expect(user.getByRole("heading", { name: "Datasets", exact: true, level: 1 })).toBeVisible();

  await page.goto(`/admin/users/${id}`);
  await page.getByTestId("user-new-password").fill("Changed!2026pass");
  await page.getByTestId("user-reset-password").click();
  await expect(page.getByTestId("user-editor-message")).toContainText("Password reset");

  // The session opened before the reset has ended.
  await user.goto("/datasets");
  await expect(user).toHaveURL(/\/login/);
  expect((await user.request.get("/api/v1/datasets")).status()).toBe(401);

  await signInRequest(user.context().request, email, "Changed!2026pass");
  await user.goto("/datasets");
  await expect(user.getByRole("heading", { name: "Datasets", exact: true, level: 1 })).toBeVisible();
  await user.close();
});
