// One data table for the portal's lists (issue 23, item 17) and the sortable caseload (item 12):
// headers sort on the server, the order is kept in the URL, and paging follows it.
import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

const cellTexts = async (page: import("@playwright/test").Page, testId: string) => page.getByTestId(testId).allInnerTexts();

test("a therapist sorts the caseload by last session and by next review, newest or soonest first", async ({ page }) => {
  await signInViaApi(page, "therapist");
  await page.goto("/patients");
  const table = page.getByTestId("patients-table");
  await expect(table.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "ascending");

  await page.getByTestId("patients-table-sort-last_session").click();
  await expect(page).toHaveURL(/sort=last_session/);
  await expect(table.getByRole("columnheader", { name: /Last session/ })).toHaveAttribute("aria-sort", /ascending|descending/);
  // Make it newest first, whichever way the first click went.
  if ((await table.getByRole("columnheader", { name: /Last session/ }).getAttribute("aria-sort")) === "ascending") await page.getByTestId("patients-table-sort-last_session").click();
  await expect(page).toHaveURL(/order=desc/);
  const last = (await cellTexts(page, "patient-last-session")).filter((text) => text !== "—");
  expect(last.length).toBeGreaterThan(1);
  expect([...last].sort().reverse()).toEqual(last);

  await page.getByTestId("patients-table-sort-next_review").click();
  await expect(page).toHaveURL(/sort=next_review/);
  if ((await table.getByRole("columnheader", { name: /Next review/ }).getAttribute("aria-sort")) === "descending") await page.getByTestId("patients-table-sort-next_review").click();
  await expect(page).toHaveURL(/sort=next_review&order=asc/);
  const reviews = (await cellTexts(page, "patient-next-review")).map((text) => text.slice(0, 10)).filter((text) => /^\d{4}-\d{2}-\d{2}$/.test(text));
  expect(reviews.length).toBeGreaterThan(1);
  expect([...reviews].sort()).toEqual(reviews);
});

test("an admin sorts users by email on the server, and the table is one shared component across lists", async ({ page }) => {
  await signInViaApi(page, "admin");
  await page.goto("/admin/users");
  await page.getByTestId("users-table-sort-email").click();
  await expect(page).toHaveURL(/sort=email/);
  const emails = await page.locator('[data-testid="user-row"] td:nth-child(2)').allInnerTexts();
  const order = (await page.getByRole("columnheader", { name: /Email/ }).getAttribute("aria-sort")) === "descending" ? "desc" : "asc";
  // The page shows the database's order (its collation), the same the API gives.
  const api = (await (await page.request.get(`/api/v1/admin/users?sort=email&order=${order}&page_size=50`)).json()) as { users: { email: string }[] };
  expect(emails).toEqual(api.users.map((user) => user.email));

  // The same table (sortable headers, the current order announced with aria-sort) serves exports, schedules and the audit trail.
  for (const [path, testId] of [["/exports", "jobs-table"], ["/schedules", "schedules-table"], ["/admin/audit", "audit-table"]] as const) {
    await page.goto(path);
    await expect(page.getByTestId(testId).locator("th button.sort").first()).toBeVisible();
    await expect(page.getByTestId(testId).locator("th[aria-sort]")).toHaveCount(1);
  }
});
