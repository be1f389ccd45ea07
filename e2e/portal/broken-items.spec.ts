// Issue 23, items 1-5 as each role meets them in the browser: sign-out stays on the portal's own
// address, "Expires" is the file's, full-name search, and who requested / owns what for admins.
import { expect, type Page, test } from "@playwright/test";

import { DEMO_USERS } from "@/lib/demo/demo-users";

import { signInRequest, signInViaApi } from "../fixtures/auth";

type TPatient = { id: string; name: string; mrn: string | null };
type TJob = { id: string; status: string; download_url: string | null; file_expires_at: string | null };

async function firstPatient(page: Page, query = "page_size=1") {
  const listed = (await (await page.request.get(`/api/v1/patients?${query}`)).json()) as { patients: TPatient[] };

  return listed.patients[0]!;
}

/** A progress report of the therapist's first patient, run to completion through the API. */
async function completedReport(page: Page, baseURL: string) {
  const patient = await firstPatient(page);
  const created = await page.request.post("/api/v1/export/progress-report", {
    data: { patient_id: patient.id, format: "pdf", start_date: "2024-01-01", end_date: "2026-11-30" },
    headers: { origin: baseURL },
  });
  expect(created.status()).toBe(202);
  const { job_id: jobId } = (await created.json()) as { job_id: string };
  let job: TJob | null = null;
  await expect(async () => {
    job = (await (await page.request.get(`/api/v1/export/jobs/${jobId}`)).json()) as TJob;
    expect(job.status).toBe("completed");
  }).toPass({ timeout: 45_000 });

  return { patient, job: job! };
}

test("signing out lands on this portal's sign-in page, and download links are built on its address", async ({ page, baseURL }) => {
  // A user of this test's own: signing out ends every session of that user.
  await signInViaApi(page, "admin");
  const email = `signout-base-${Date.now()}@e2e.example`;
  const password = "Willow-orbit-canvas-58";
  const created = await page.request.post("/api/v1/admin/users", { data: { email, name: "Bea Baseurl", role: "analyst", password }, headers: { origin: baseURL! } });
  expect(created.status()).toBe(201);
  await page.context().clearCookies();
  await signInRequest(page.context().request, email, password);

  await page.goto("/datasets");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${baseURL}/login`);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("My exports shows when the file expires, not the download link's moving expiry; links use the portal's address", async ({ page, baseURL }) => {
  await signInViaApi(page, "therapist");
  const { job } = await completedReport(page, baseURL!);
  expect(job.download_url!.startsWith(`${baseURL}/api/v1/export/download/`)).toBe(true);

  await page.goto("/exports");
  await expect(page.getByRole("heading", { name: "My exports" })).toBeVisible();
  const expected = await page.evaluate((iso) => new Date(iso).toLocaleString(), job.file_expires_at!);
  const row = page.getByTestId("job-row").first();
  await expect(row.getByTestId("job-expires")).toHaveText(expected);
  // Seven days by default, and the same on every load.
  const days = (new Date(job.file_expires_at!).getTime() - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(6.9);
  await page.reload();
  await expect(page.getByTestId("job-row").first().getByTestId("job-expires")).toHaveText(expected);
});

test("a therapist finds a patient by full name in either order, and by name with MRN", async ({ page }) => {
  await signInViaApi(page, "therapist");
  const patient = await firstPatient(page, "page_size=1&page=2");
  const [given, ...rest] = patient.name.split(" ");
  const family = rest.join(" ");

  for (const query of [patient.name, `${family} ${given}`, `${patient.mrn} ${given}`]) {
    await page.goto("/patients");
    await page.getByRole("searchbox", { name: "Search patients" }).or(page.getByLabel("Search patients")).first().fill(query);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("link", { name: patient.name, exact: true })).toBeVisible();
  }
});

test("an admin's assignment picker finds a patient by full name", async ({ page, baseURL }) => {
  await signInViaApi(page, "admin");
  const created = await page.request.post("/api/v1/admin/users", {
    data: { email: `picker-${Date.now()}@e2e.example`, name: "Pia Picker", role: "therapist", password: "Initial!2026pass" },
    headers: { origin: baseURL! },
  });
  const { id } = (await created.json()) as { id: string };
  const patient = await firstPatient(page, "page_size=1&page=11");
  const [given, ...rest] = patient.name.split(" ");

  await page.goto(`/admin/users/${id}`);
  await page.getByTestId("assign-patient-search").fill(`${rest.join(" ")} ${given}`);
  await expect(page.getByTestId("assign-patient-select").locator(`option[value="${patient.id}"]`)).toHaveCount(1);
});

test("All exports names who requested each export, and the schedules list names each owner", async ({ page, browser, baseURL }) => {
  const therapist = await browser.newPage();
  await signInViaApi(therapist, "therapist");
  await completedReport(therapist, baseURL!);
  const schedule = await therapist.request.post("/api/v1/export/scheduled", {
    data: { export_type: "progress_report", patient_id: (await firstPatient(therapist)).id, schedule_type: "monthly", schedule_config: { day_of_month: 1, time: "08:00" }, delivery_method: "storage" },
    headers: { origin: baseURL! },
  });
  expect(schedule.status()).toBe(201);
  const { id: scheduleId } = (await schedule.json()) as { id: string };

  await signInViaApi(page, "admin");
  await page.goto("/exports");
  await expect(page.getByRole("heading", { name: "All exports" })).toBeVisible();
  await expect(page.getByTestId("job-owner").first()).toBeVisible();
  await expect(page.getByTestId("job-owner").filter({ hasText: DEMO_USERS.therapist.name }).first()).toBeVisible();
  await expect(page.getByTestId("job-owner").filter({ hasText: "—" })).toHaveCount(0);

  await page.goto("/schedules");
  await expect(page.getByRole("columnheader", { name: "Owner" })).toBeVisible();
  await expect(page.locator(`[data-testid="schedule-row"][data-schedule-id="${scheduleId}"]`).getByTestId("schedule-owner")).toHaveText(DEMO_USERS.therapist.name);
});
