import { expect, test } from "@playwright/test";

import { signInViaApi } from "../fixtures/auth";

test("an admin copies a system template, edits it, sees the preview change, and saves a new version", async ({ page }) => {
  await signInViaApi(page, "admin");
  await page.goto("/admin/templates");
  await page.getByTestId("template-row").filter({ hasText: "Progress report" }).first().getByRole("link").click();
  await expect(page.getByTestId("template-name")).toBeVisible();
  await page.getByTestId("template-copy").click();
  await expect(page.getByTestId("template-name")).toContainText("(copy)");

  // The reference lists what a template can read, the product spec's names among them.
  const reference = page.getByTestId("template-reference");
  await reference.getByText("Variables and sections").click();
  await expect(reference).toContainText("goals[].progress_percentage");
  await expect(page.getByTestId("template-reference-sections")).toContainText("include_sections.medical_necessity");

  await page.getByTestId("template-preview-mode").selectOption("html");
  const preview = page.frameLocator('[data-testid="template-preview-html"]');
  await expect(preview.locator("body")).not.toContainText("Reviewed in supervision", { timeout: 30_000 });

  const editor = page.getByTestId("template-content");
  const original = await editor.inputValue();
  await editor.fill(original.replace(/<\/h1>/, "</h1><p>Reviewed in supervision</p>"));
  await expect(preview.locator("body")).toContainText("Reviewed in supervision", { timeout: 30_000 });

  await page.getByTestId("template-save").click();
  await expect(page.getByTestId("template-meta")).toContainText("version 2", { timeout: 30_000 });
  await expect(page.getByTestId("template-content")).toHaveValue(/Reviewed in supervision/);

  // A template using an unknown variable is refused with its line and reason.
  await page.getByTestId("template-content").fill(`${original}\n{{ patient.favourite_colour }}`);
  await page.getByTestId("template-save").click();
  await expect(page.getByTestId("template-error")).toContainText(/line \d+/i);
});
