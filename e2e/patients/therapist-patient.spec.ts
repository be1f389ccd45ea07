import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

test("a therapist opens an assigned patient from their list", async ({ page }) => {
  await signInViaApi(page, "therapist");
  await page.goto("/patients");
  const firstPatient = page.locator("table tbody tr").first().getByRole("link");
  const name = (await firstPatient.textContent())!.trim();
  await firstPatient.click();
  await expect(page.getByTestId("patient-name")).toHaveText(name);
  await expect(page.getByRole("heading", { name: "Goals" })).toBeVisible();
});

test("a therapist asking for another therapist's patient gets the same 404 as for a missing one", async ({ page }) => {
  await signInViaApi(page, "therapist2");
  const list = await page.request.get("/api/v1/patients?page_size=1");
  const [other] = ((await list.json()) as { patients: { id: string }[] }).patients;
  expect(other).toBeTruthy();

  await signInViaApi(page, "therapist");
  const foreign = await page.request.get(`/api/v1/patients/${other!.id}`);
  const missing = await page.request.get("/api/v1/patients/does-not-exist");
  expect(foreign.status()).toBe(404);
  expect(missing.status()).toBe(404);
  expect(await foreign.json()).toMatchObject({ error: "Not found" });

  const pageResponse = await page.goto(`/patients/${other!.id}`);
  expect(pageResponse?.status()).toBe(404);
});
