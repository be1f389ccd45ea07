// A therapist creates a monthly schedule in the browser and sees its next run; a tick run by
// the CLI at that instant produces the delivered file.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

const run = promisify(execFile);
const DATA_DIR = process.env.E2E_DATA_DIR ?? "./data/e2e";

/** The CLI against the e2e server's database and keys (the same values playwright.config.ts gives the server). */
function cli(...args: string[]) {
  return run("node_modules/.bin/tsx", ["cli/index.ts", ...args], {
    timeout: 120_000,
    env: {
      ...process.env,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? `file:${DATA_DIR}/careexport.db`,
      DATA_DIR,
      ANON_KEY: "e2e-anon-key-0123456789abcdef",
      FILE_ENCRYPTION_KEY: "e2e-file-key-0123456789abcdef",
      LINK_SIGNING_KEY: "e2e-link-key-0123456789abcdef",
      AUDIT_KEY: "e2e-audit-key-0123456789abcdef",
      NEXTAUTH_SECRET: "e2e-nextauth-secret-0123456789",
    },
  });
}

type TRun = { status: string; delivery: { path?: string } | null };

test("a therapist creates a monthly schedule, sees its next run, and a CLI tick delivers the file", async ({ page }) => {
  await signInViaApi(page, "therapist");
  await page.goto("/schedules/new");

  const form = page.getByTestId("schedule-form");
  await form.getByTestId("schedule-export-type").selectOption("progress_report");
  await expect(form.getByTestId("schedule-patient").locator("option")).not.toHaveCount(0);
  await form.getByTestId("schedule-type").selectOption("monthly");
  await form.getByTestId("schedule-day-of-month").fill("1");
  await form.getByTestId("schedule-time").fill("08:00");
  await form.getByTestId("schedule-timezone").fill("Europe/Berlin");
  await expect(form.getByTestId("schedule-preview")).toHaveText(/^Monthly on day 1 at 08:00 Europe\/Berlin \(next run \d{4}-\d{2}-01 08:00\)$/);
  await form.getByTestId("schedule-period").selectOption("previous_month");
  await form.getByTestId("schedule-format").selectOption("pdf");
  await form.getByTestId("schedule-delivery-method").selectOption("storage");
  await form.getByTestId("schedule-submit").click();

  await expect(page).toHaveURL(/\/schedules\/[^/]+$/);
  await expect(page.getByTestId("schedule-next-run")).toHaveText(/^\d{4}-\d{2}-01 08:00$/);
  const id = page.url().split("/").pop()!;

  await page.goto("/schedules");
  const row = page.locator(`[data-testid="schedule-row"][data-schedule-id="${id}"]`);
  await expect(row.getByTestId("schedule-next-run")).toContainText(/\d{4}-\d{2}-01 08:00/);
  await expect(row.getByTestId("schedule-last-status")).toHaveText(/never run/);

  const detail = await (await page.request.get(`/api/v1/export/scheduled/${id}`)).json();
  const tick = await cli("schedules:tick", "--now", detail.next_run_at as string, "--drain");
  expect(tick.stdout).toContain(id);

  // The job may be run by the CLI's --drain or by the server's own worker; either way the run ends delivered.
  await expect
    .poll(async () => ((await (await page.request.get(`/api/v1/export/scheduled/${id}`)).json()).runs as TRun[])[0]?.status, { timeout: 60_000 })
    .toBe("delivered");
  const [delivered] = (await (await page.request.get(`/api/v1/export/scheduled/${id}`)).json()).runs as TRun[];
  expect(delivered!.delivery?.path).toMatch(/^\d{4}\/\d{2}\/01\/progress_report_P-[0-9a-f]{12}_\d{4}-\d{2}-01\.pdf$/);
  expect(existsSync(path.join(DATA_DIR, "deliveries", delivered!.delivery!.path!))).toBe(true);

  await page.goto(`/schedules/${id}`);
  await expect(page.getByTestId("schedule-run-status").first()).toHaveText("delivered");
  await expect(page.getByTestId("schedule-last-status")).toHaveText("delivered");
});
