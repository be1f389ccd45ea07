import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

test("an admin opts a patient out of data sharing with a reason, sees it recorded, and clears it; a therapist sees no such control", async ({ page, browser }) => {
  await signInViaApi(page, "admin");
  // A demo patient on a later page (not one the demo opted out): the admin's view of all patients.
  const listed = (await (await page.request.get("/api/v1/patients?page_size=1&page=11")).json()) as { patients: { id: string; name: string }[] };
  const patient = listed.patients[0]!;
  const consentOf = async () => (await (await page.request.get(`/api/v1/admin/patients/${patient.id}/consent`)).json()) as { optOut: boolean; consents: { reason: string | null; source: string }[] };
  const before = await consentOf();

  await page.goto(`/patients/${patient.id}`);
  const panel = page.getByTestId("consent-panel");
  await expect(page.getByTestId("consent-status")).toContainText(before.optOut ? "Opted out" : "Shared");
  if (before.optOut) {
    await page.getByTestId("consent-reason").fill("Reset before the test: patient shares data");
    await page.getByTestId("consent-toggle").click();
    await expect(page.getByTestId("consent-status")).toContainText("Shared");
  }

  // Too short a reason: refused with the field named, nothing recorded.
  await page.getByTestId("consent-reason").fill("ok!!");
  await page.getByTestId("consent-reason").evaluate((input: HTMLInputElement) => input.removeAttribute("minlength"));
  await page.getByTestId("consent-toggle").click();
  await expect(page.getByTestId("consent-error")).toContainText(/reason/i);
  expect((await consentOf()).optOut).toBe(false);

  const reason = `Patient asked at reception ${Date.now()}`;
  await page.getByTestId("consent-reason").fill(reason);
  await page.getByTestId("consent-toggle").click();
  await expect(page.getByTestId("consent-status")).toContainText("Opted out");
  await expect(panel.getByTestId("consent-history")).toContainText(reason);
  const after = await consentOf();
  expect(after.optOut).toBe(true);
  expect(after.consents[0]).toMatchObject({ reason, source: "portal" });

  await page.getByTestId("consent-reason").fill("Signed the research consent form");
  await page.getByTestId("consent-toggle").click();
  await expect(page.getByTestId("consent-status")).toContainText("Shared");
  expect((await consentOf()).optOut).toBe(false);

  // A therapist on their own patient's page gets no consent control.
  const therapistContext = await browser.newContext();
  const therapistPage = await therapistContext.newPage();
  await signInViaApi(therapistPage, "therapist");
  const own = (await (await therapistPage.request.get("/api/v1/patients?page_size=1")).json()) as { patients: { id: string }[] };
  await therapistPage.goto(`/patients/${own.patients[0]!.id}`);
  await expect(therapistPage.getByTestId("patient-name")).toBeVisible();
  await expect(therapistPage.getByTestId("consent-panel")).toHaveCount(0);
  await therapistContext.close();
});
