// #22 parts 1 and 5 on the datasets page: the page says which instruments have wide tables and that
// every answer is in qr_answers_long; someone exports it with 10-year age bands and finds the
// demo's oral-cancer screening form (an instrument the catalog does not know) in it.
import { execFileSync } from "node:child_process";

import { expect, test } from "@playwright/test";

import { parseCsvRecords } from "@/lib/csv/parse-csv";

import { signInViaApi } from "../fixtures/auth";

test("every questionnaire answer and patients with 10-year age bands, exported from the datasets page", async ({ page }) => {
  test.setTimeout(150_000);
  // An administrator (exempt from the hourly export limit, which analyst-export.spec.ts spends on the analyst).
  await signInViaApi(page, "admin");
  await page.goto("/datasets");
  const coverage = page.getByTestId("questionnaire-coverage");
  await expect(coverage).toContainText("Every answer of every questionnaire response is in qr_answers_long");
  await expect(coverage).toContainText("qr_phq9_anon");

  await expect(page.getByTestId("dataset-row").first()).toBeVisible();
  await page.getByLabel("Select all").uncheck();
  await page.getByTestId("dataset-select-qr_answers_long").check();
  await page.getByTestId("dataset-select-patient_anon").check();
  await page.getByTestId("dataset-age-bands").selectOption("10");
  await page.getByTestId("dataset-attestation").check();
  await page.getByTestId("dataset-start").click();

  const progress = page.getByTestId("dataset-progress");
  await expect(progress.getByTestId("dataset-status")).toHaveText("completed", { timeout: 120_000 });
  const downloadPromise = page.waitForEvent("download");
  await progress.getByTestId("dataset-download").click();
  const file = (await (await downloadPromise).path())!;
  const entry = (name: string) => execFileSync("unzip", ["-p", file, name], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });

  const manifest = JSON.parse(entry("manifest.json")) as { age_band_years: number; datasets: { dataset: string }[]; k_anonymity: { quasi_identifiers: { column: string; released_as: string }[] } };
  expect(manifest.age_band_years).toBe(10);
  expect(manifest.datasets.map((dataset) => dataset.dataset).sort()).toEqual(["patient_anon", "qr_answers_long"]);
  expect(manifest.k_anonymity.quasi_identifiers[0]).toEqual({ column: "age", released_as: "10-year bands, 90 and over as 90+" });

  const patients = parseCsvRecords(entry("patient_anon.csv"));
  expect(patients.length).toBeGreaterThan(100);
  expect(patients.every((row) => /^(\d+-\d+|90\+|)$/.test(row.age ?? "missing"))).toBe(true);
  expect(patients.some((row) => /^\d0-\d9$/.test(row.age!))).toBe(true);

  const answers = entry("qr_answers_long.csv");
  const oral = parseCsvRecords(answers).filter((row) => row.questionnaire === "oral-cancer-screening");
  expect(oral.length).toBeGreaterThan(75);
  expect(oral.some((row) => row.session_ordinal === "2")).toBe(true);
  expect(answers).toContain("https://screening.partner.example/fhir/Questionnaire/oral-cancer-screening|2.1");
  expect(answers).toContain("history/tobacco");
});
