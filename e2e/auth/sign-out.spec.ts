import { expect, type Page, test } from "@playwright/test";

import { signInRequest, signInViaApi } from "../fixtures/auth";

// A user of this spec's own: signing out ends every session of the user, so the demo users stay untouched.
async function newAnalyst(page: Page, baseURL: string) {
  await signInViaApi(page, "admin");
  const email = `sign-out-${Date.now()}@e2e.example`;
  const password = "Willow-orbit-canvas-58";
  // A cookie-authenticated change must come from our own origin, as the console's own fetch does.
  const created = await page.request.post("/api/v1/admin/users", { data: { email, name: "Sol Signout", role: "analyst", password }, headers: { origin: baseURL } });
  expect(created.status()).toBe(201);

  return { email, password };
}

test("signing out ends the session on the server: a copy of the session cookie stops working", async ({ page, browser, playwright, baseURL }) => {
  const { email, password } = await newAnalyst(page, baseURL!);
  const user = await browser.newPage();
  await signInRequest(user.context().request, email, password);
  await user.goto("/datasets");
  await expect(user.getByRole("heading", { name: "Datasets", exact: true, level: 1 })).toBeVisible();

  // Someone copies the session cookie before the user signs out.
  const cookie = (await user.context().cookies()).find((entry) => entry.name.endsWith("next-auth.session-token"))!;
  const copy = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `${cookie.name}=${cookie.value}` } });
  expect((await copy.get("/api/v1/datasets")).status()).toBe(200);

  await user.getByRole("button", { name: "Sign out" }).click();
  await expect(user).toHaveURL(/\/login/);

  expect((await copy.get("/api/v1/datasets")).status()).toBe(401);
  await copy.dispose();
});

test("a wrong password and an unknown email get the same answer", async ({ page }) => {
  const messages: string[] = [];
  for (const email of ["analyst@careexport.local", "nobody-here@careexport.local"]) {
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not-the-password-at-all");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "email or password is not right" });
    await expect(alert).toBeVisible();
    messages.push(await alert.innerText());
  }
  expect(messages[0]).toBe(messages[1]);
});
