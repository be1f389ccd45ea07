import { expect, test } from "@playwright/test";

import { DEMO_USERS } from "@/lib/demo/demo-users";

const LANDING = { admin: /\/admin$/, therapist: /\/patients$/, analyst: /\/datasets$/ } as const;

for (const role of ["admin", "therapist", "analyst"] as const) {
  test(`${role} signs in with the form and lands on their home page`, async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
    await page.getByLabel("Email").fill(DEMO_USERS[role].email);
    await page.getByLabel("Password").fill(DEMO_USERS[role].password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(LANDING[role]);
    await expect(page.getByTestId("current-user")).toHaveText(DEMO_USERS[role].name);
  });
}

test("a wrong password is refused with a message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO_USERS.analyst.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  // Next's route announcer is also role="alert"; the form's own alert is the one with text.
  await expect(page.getByRole("alert").filter({ hasText: "email or password is not right" })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});
