// Schedules as their owners meet them (issue 23, item 10): the time zone is picked from the IANA
// list, email is not offered without a mail server (and says why), and the schedule's page shows
// what it exports and whose it is, runs it now, tests its delivery and lets the owner change it.
import { expect, test } from "@playwright/test";

import { DEMO_USERS } from "@/lib/demo/demo-users";

import { signInViaApi } from "../fixtures/auth";

test("a therapist picks a zone from the list, is told why email is unavailable, then runs, tests and edits the schedule", async ({ page }) => {
  test.setTimeout(90_000);
  await signInViaApi(page, "therapist");
  await page.goto("/schedules/new");
  const form = page.getByTestId("schedule-form");

  // The picker offers the IANA zones the server knows, searchable as one types.
  const zones = await page.locator("#schedule-time-zones option").evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
  expect(zones.length).toBeGreaterThan(300);
  expect(zones).toContain("America/Chicago");
  await form.getByTestId("schedule-timezone").fill("Mars/Olympus_Mons");
  await expect(form.getByTestId("schedule-timezone-hint")).toBeVisible();
  await expect(form.getByTestId("schedule-submit")).toBeDisabled();
  await form.getByTestId("schedule-timezone").fill("America/Chicago");
  await expect(form.getByTestId("schedule-timezone-hint")).toHaveCount(0);

  // No SMTP server in this deployment: email is not offered, and the page says why.
  await expect(form.getByTestId("schedule-delivery-method").locator('option[value="email"]')).toBeDisabled();
  await expect(form.getByTestId("schedule-email-unavailable")).toContainText("no mail (SMTP) server");

  await form.getByTestId("schedule-export-type").selectOption("progress_report");
  const patientOptions = form.getByTestId("schedule-patient").locator("option");
  const firstPatient = (await patientOptions.nth(0).textContent())!.trim();
  const secondPatientId = (await patientOptions.nth(1).getAttribute("value"))!;
  const secondPatient = (await patientOptions.nth(1).textContent())!.trim();
  await form.getByTestId("schedule-delivery-method").selectOption("storage");
  await form.getByTestId("schedule-submit").click();
  await expect(page).toHaveURL(/\/schedules\/[^/]+$/);

  const facts = page.getByTestId("schedule-facts");
  await expect(facts.getByTestId("schedule-fact-type")).toHaveText("Progress report");
  const [family, given] = firstPatient.split(", ");
  await expect(facts.getByTestId("schedule-fact-patient")).toHaveText(`${given} ${family}`);
  await expect(facts.getByTestId("schedule-fact-owner")).toContainText(DEMO_USERS.therapist.name);

  await page.getByTestId("schedule-test-delivery").click();
  await expect(page.getByTestId("schedule-run-message")).toContainText("can be written to");

  await page.getByTestId("schedule-run-now").click();
  await expect(page.getByTestId("schedule-run-message")).toContainText("Started");
  await expect(page.getByTestId("schedule-run-row").first()).toBeVisible();
  await expect(page.getByTestId("schedule-run-note").first()).toContainText("Run now by its owner");

  // The owner changes what the schedule exports.
  const edit = page.getByTestId("schedule-form");
  await edit.getByTestId("schedule-export-type").selectOption("insurance_report");
  await edit.getByTestId("schedule-patient").selectOption(secondPatientId);
  await edit.getByTestId("schedule-submit").click();
  await expect(facts.getByTestId("schedule-fact-type")).toHaveText("Insurance report");
  const [family2, given2] = secondPatient.split(", ");
  await expect(facts.getByTestId("schedule-fact-patient")).toHaveText(`${given2} ${family2}`);
});
