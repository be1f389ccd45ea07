// What an admin needs to oversee access (issue 23): role changes say what they end and a caseload
// moves in one step (item 11); the audit trail answers who opened a patient's record (item 8).
import { readFile } from "node:fs/promises";

import { expect, type Page, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

type TPatient = { id: string; name: string; mrn: string | null };

async function newTherapist(page: Page, baseURL: string, name: string) {
  const created = await page.request.post("/api/v1/admin/users", {
    data: { email: `${name.toLowerCase().replace(/\W+/g, "-")}-${Date.now()}@e2e.example`, name, role: "therapist", password: "Initial!2026pass" },
    headers: { origin: baseURL },
  });
  expect(created.status()).toBe(201);

  return ((await created.json()) as { id: string }).id;
}

async function patients(page: Page, query: string) {
  return ((await (await page.request.get(`/api/v1/patients?${query}`)).json()) as { patients: TPatient[] }).patients;
}

test("changing a therapist's role asks first and says how many assignments end; a caseload moves in one step", async ({ page, baseURL }) => {
  await signInViaApi(page, "admin");
  const leaving = await newTherapist(page, baseURL!, "Lea Leaving");
  const taking = await newTherapist(page, baseURL!, "Tom Taking");
  const chosen = await patients(page, "page_size=2&page=21");
  for (const patient of chosen) {
    const assigned = await page.request.put(`/api/v1/admin/users/${leaving}/assignments`, { data: { patient_id: patient.id, assigned: true }, headers: { origin: baseURL! } });
    expect(assigned.status()).toBe(200);
  }

  await page.goto(`/admin/users/${leaving}`);
  await page.getByTestId("user-role").selectOption("analyst");
  await page.getByTestId("user-save").click();
  const confirm = page.getByTestId("role-change-confirm");
  await expect(confirm).toBeVisible();
  await expect(confirm.getByTestId("role-change-text")).toContainText("Their 2 patient assignments will end");
  await confirm.getByTestId("role-change-cancel").click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId("assignment-row")).toHaveCount(2);

  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByTestId("move-caseload-target").selectOption(taking);
  await page.getByTestId("move-caseload-submit").click();
  await expect(page.getByTestId("user-editor-message")).toContainText("Moved 2 patients to Tom Taking");
  await expect(page.getByTestId("assignment-row")).toHaveCount(0);
  await page.goto(`/admin/users/${taking}`);
  await expect(page.getByTestId("assignment-row")).toHaveCount(2);
});

test("an admin finds who opened a patient's record: filter by name, names in rows, the access report, by keyboard", async ({ page }) => {
  // The therapist opens one of their patients: that view is on the record.
  const therapist = await page.context().browser()!.newPage();
  await signInViaApi(therapist, "therapist");
  const [patient] = await patients(therapist, "page_size=1&page=3");
  await therapist.goto(`/patients/${patient!.id}`);
  await expect(therapist.getByTestId("patient-name")).toBeVisible();

  await page.setViewportSize({ width: 1366, height: 768 });
  await signInViaApi(page, "admin");
  await page.goto("/admin/audit");
  const [given, ...rest] = patient!.name.split(" ");
  await page.getByTestId("audit-patient-search").fill(`${rest.join(" ")} ${given}`);
  await page.getByTestId("audit-patient-matches").getByRole("option", { name: new RegExp(patient!.name) }).click();
  await expect(page).toHaveURL(new RegExp(`patient_id=${patient!.id}`));
  const viewed = page.locator('[data-testid="audit-row"][data-action="patient_viewed"]').first();
  await expect(viewed).toContainText(patient!.name);
  await expect(viewed).toContainText("therapist@careexport.local");
  await expect(page.getByTestId("audit-patient-selected")).toContainText(patient!.name);

  // The table fits a 1366 px laptop screen: nothing scrolls sideways.
  const overflow = await page.evaluate(() => ({ page: document.documentElement.scrollWidth - document.documentElement.clientWidth, table: (() => { const wrap = document.querySelector('[data-testid="audit-table"]')!.parentElement!; return wrap.scrollWidth - wrap.clientWidth; })() }));
  expect(overflow).toEqual({ page: 0, table: 0 });

  // Rows are reachable by keyboard: focus one, Enter opens its drawer.
  await viewed.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("audit-drawer").getByRole("link", { name: new RegExp(patient!.name) })).toBeVisible();
  // Focus is in the drawer; Escape closes it.
  await expect(page.getByTestId("audit-drawer-close")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("audit-drawer")).toHaveCount(0);

  const downloadPromise = page.waitForEvent("download");
  await page.getByTestId("audit-access-report-pdf").click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^access-report-.+\.pdf$/);
  expect((await readFile((await download.path())!)).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  const csv = await page.request.get(`/api/v1/audit/patients/${patient!.id}/access-report?format=csv`);
  expect(await csv.text()).toContain("Dr. Maya Chen");
});
