import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

test("an admin finds a patient by name and assigns them to a therapist", async ({ page, baseURL }) => {
  await signInViaApi(page, "admin");
  const created = await page.request.post("/api/v1/admin/users", {
    data: { email: `assign-${Date.now()}@e2e.example`, name: "Theo Assign", role: "therapist", password: "Initial!2026pass" },
    // A cookie-authenticated change must come from our own origin, as the console's own fetch does.
    headers: { origin: baseURL! },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  // A patient from the demo programme, found the way the admin would: by part of the name.
  const listed = (await (await page.request.get("/api/v1/patients?page_size=1&page=7")).json()) as { patients: { id: string; name: string }[] };
  const patient = listed.patients[0]!;
  const familyName = patient.name.split(" ").at(-1)!;

  await page.goto(`/admin/users/${id}`);
  await page.getByTestId("assign-patient-search").fill(familyName.slice(0, 5));
  const select = page.getByTestId("assign-patient-select");
  await expect(select.locator(`option[value="${patient.id}"]`)).toHaveCount(1);
  await select.selectOption(patient.id);
  await page.getByTestId("assign-patient-submit").click();
  await expect(page.getByTestId("assignment-row")).toHaveCount(1);
  await expect(page.getByTestId("assignment-row")).toContainText(patient.name);
  // Assigned, the patient is no longer offered.
  await expect(select.locator(`option[value="${patient.id}"]`)).toHaveCount(0);
});
