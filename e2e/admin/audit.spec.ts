import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";

import { expect, test } from "@playwright/test";

import { DEMO_USERS } from "@/lib/demo/demo-users";

import { signInViaApi } from "../fixtures/auth";

// The spec writes its own "downloaded" record (through the one audit writer, into the database the
// server under test uses) so it does not depend on what the demo seed happened to produce.
process.env.DATABASE_URL = process.env.E2E_DATABASE_URL ?? "file:./data/e2e/careexport.db";
process.env.DATA_DIR = process.env.E2E_DATA_DIR ?? "./data/e2e";

const marker = `e2e-${randomBytes(4).toString("hex")}`;
let therapistId = "";

test.beforeAll(async () => {
  const { prisma, disconnectPrisma } = await import("@/lib/db/client");
  const { recordAudit } = await import("@/lib/audit/record");
  const therapist = await prisma.user.findUniqueOrThrow({ where: { email: DEMO_USERS.therapist.email }, select: { id: true } });
  therapistId = therapist.id;
  await recordAudit(null, {
    action: "downloaded",
    userId: therapist.id,
    exportJobId: `job-${marker}`,
    metadata: { fileName: `${marker}.pdf`, via: "e2e" },
    meta: { ipAddress: "203.0.113.7", userAgent: "playwright", requestId: marker, via: "web" },
  });
  await disconnectPrisma();
});

test("an admin filters the audit trail by a therapist and by `downloaded`, opens a record and exports CSV", async ({ page }) => {
  await signInViaApi(page, "admin");
  await page.goto("/admin/audit");
  await expect(page.getByTestId("audit-chain-banner")).toHaveAttribute("data-status", "intact");

  await page.getByTestId("audit-filter-user").selectOption(therapistId);
  await expect(page).toHaveURL(new RegExp(`user=${therapistId}`));
  await page.getByTestId("audit-filter-action").selectOption(["downloaded"]);
  await expect(page).toHaveURL(/action=downloaded/);

  const rows = page.getByTestId("audit-row");
  const ours = rows.filter({ hasText: `job-${marker}` });
  await expect(ours).toHaveCount(1);
  for (const action of await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-action")))) {
    expect(action).toBe("downloaded");
  }

  // The URL is the view: reloading keeps the filters.
  await page.reload();
  await expect(page.getByTestId("audit-filter-user")).toHaveValue(therapistId);
  await expect(rows.filter({ hasText: `job-${marker}` })).toHaveCount(1);

  await rows.filter({ hasText: `job-${marker}` }).click();
  const drawer = page.getByTestId("audit-drawer");
  await expect(drawer).toBeVisible();
  await expect(drawer.getByTestId("audit-drawer-action")).toHaveText("downloaded");
  await expect(drawer.getByTestId("audit-drawer-metadata")).toContainText(`${marker}.pdf`);
  await expect(drawer.getByTestId("audit-drawer-ip-address")).toHaveText("203.0.113.7");
  await drawer.getByTestId("audit-drawer-close").click();
  await expect(drawer).toHaveCount(0);

  const downloadPromise = page.waitForEvent("download");
  await page.getByTestId("audit-export-csv").click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  const [header, ...lines] = csv.trimEnd().split("\r\n");
  expect(header!.split(",").slice(0, 4)).toEqual(["seq", "created_at", "action", "outcome"]);
  expect(lines.some((line) => line.includes(`job-${marker}`))).toBe(true);
  const actionIndex = header!.split(",").indexOf("action");
  const userIndex = header!.split(",").indexOf("user_id");
  for (const line of lines) {
    const cells = line.split(",");
    expect(cells[actionIndex]).toBe("downloaded");
    expect(cells[userIndex]).toBe(therapistId);
  }

  // The export itself is on the record.
  await page.getByTestId("audit-filter-clear").click();
  await expect(page).not.toHaveURL(/user=/);
  await page.getByTestId("audit-filter-action").selectOption(["audit_exported"]);
  await expect(page.getByTestId("audit-row").first()).toHaveAttribute("data-action", "audit_exported");
});

test("a therapist gets 403 from the audit API", async ({ page }) => {
  await signInViaApi(page, "therapist");
  expect((await page.request.get("/api/v1/audit")).status()).toBe(403);
  expect((await page.request.get("/api/v1/audit/export")).status()).toBe(403);
});
