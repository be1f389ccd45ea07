// Issue 17 items 6, 7 and 9 in the real build: every page of every role loads under the nonce
// Content-Security-Policy with no violation (the PDF preview iframe and downloads included), the
// security headers are sent, a malformed path is a JSON 400, and neither a client's
// X-Forwarded-For nor its request id reaches the audit trail.
import { expect, test, type Page } from "@playwright/test";

import { DEMO_USERS } from "@/lib/demo/demo-users";

import { signInRequest, signInViaApi, type TDemoRole } from "../fixtures/auth";

type TWatch = { problems: string[] };

/** Collects CSP violations (the DOM event and Chromium's console report) and page errors. */
async function watch(page: Page): Promise<TWatch> {
  const state: TWatch = { problems: [] };
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const store = ((window as unknown as { __cspViolations?: string[] }).__cspViolations ??= []);
      store.push(`${event.violatedDirective} blocked ${event.blockedURI || "(inline)"} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|frame|connect)/i.test(message.text())) state.problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => state.problems.push(`page error: ${error.message}`));

  return state;
}

async function visit(page: Page, state: TWatch, path: string) {
  const response = await page.goto(path);
  expect(response, path).not.toBeNull();
  expect(response!.status(), path).toBeLessThan(400);
  await page.waitForLoadState("networkidle");
  const headers = response!.headers();
  const policy = headers["content-security-policy"] ?? "";
  const scriptSrc = policy.split(";").map((part) => part.trim()).find((part) => part.startsWith("script-src ")) ?? "";
  expect(scriptSrc, path).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'$/);
  expect(headers["permissions-policy"], path).toContain("camera=()");
  expect(headers["cross-origin-opener-policy"], path).toBe("same-origin");
  // Served over plain http here: HSTS would be ignored, so it is not sent.
  expect(headers["strict-transport-security"], path).toBeUndefined();
  // Hydrated: Next's scripts ran, which they only do with the request's nonce.
  const nonces = await page.evaluate(() => [...document.querySelectorAll("script")].map((script) => script.nonce).filter(Boolean).length);
  expect(nonces, path).toBeGreaterThan(0);
  const violations = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
  expect([...violations, ...state.problems], path).toEqual([]);
}

/** The first link on `listPath` whose href starts with `prefix` (a detail page to visit). */
async function firstDetailPath(page: Page, listPath: string, prefix: RegExp) {
  await page.goto(listPath);
  const hrefs = await page.locator("a[href]").evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""));

  return hrefs.find((href) => prefix.test(href)) ?? null;
}

const PAGES: Record<TDemoRole, string[]> = {
  therapist: ["/patients", "/exports", "/schedules", "/schedules/new", "/account/tokens"],
  therapist2: ["/patients"],
  analyst: ["/datasets", "/exports", "/schedules", "/schedules/new", "/account/tokens"],
  admin: ["/admin", "/admin/users", "/admin/templates", "/admin/audit", "/admin/settings", "/admin/fhir-clients", "/admin/warehouses", "/admin/fhir-sources", "/admin/metrics", "/patients", "/datasets", "/exports", "/schedules", "/schedules/new", "/account/tokens"],
};
const DETAIL_PAGES: Record<TDemoRole, [string, RegExp][]> = {
  therapist: [["/patients", /^\/patients\/[^/]+$/], ["/schedules", /^\/schedules\/(?!new$)[^/]+$/]],
  therapist2: [],
  analyst: [["/schedules", /^\/schedules\/(?!new$)[^/]+$/]],
  admin: [["/admin/users", /^\/admin\/users\/[^/]+$/], ["/admin/templates", /^\/admin\/templates\/[^/]+$/], ["/patients", /^\/patients\/[^/]+$/]],
};

test("the sign-in page loads under the CSP with no violation", async ({ page }) => {
  const state = await watch(page);
  await visit(page, state, "/login");
});

for (const role of ["therapist", "analyst", "admin"] as const) {
  test(`every page of the ${role} loads under the nonce CSP with no violation`, async ({ page }) => {
    test.setTimeout(180_000);
    const state = await watch(page);
    await signInViaApi(page, role);
    const details: string[] = [];
    for (const [list, pattern] of DETAIL_PAGES[role]) {
      const path = await firstDetailPath(page, list, pattern);
      if (path) details.push(path);
    }
    for (const path of [...PAGES[role], ...details]) await visit(page, state, path);
  });
}

test("the template's PDF preview (a blob: iframe) renders under the CSP", async ({ page }) => {
  const state = await watch(page);
  await signInViaApi(page, "admin");
  const path = await firstDetailPath(page, "/admin/templates", /^\/admin\/templates\/[^/]+$/);
  await visit(page, state, path!);
  const frame = page.getByTestId("template-preview");
  await expect(frame).toHaveAttribute("src", /^blob:/, { timeout: 30_000 });
  await page.waitForTimeout(1_000);
  const violations = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
  expect([...violations, ...state.problems]).toEqual([]);
});

test("a therapist's report downloads under the CSP", async ({ page }) => {
  test.setTimeout(120_000);
  const state = await watch(page);
  await signInViaApi(page, "therapist");
  const path = await firstDetailPath(page, "/patients", /^\/patients\/[^/]+$/);
  await visit(page, state, path!);
  const panel = page.getByTestId("export-panel");
  await panel.getByTestId("export-type").selectOption("progress_report");
  await panel.getByTestId("export-format").selectOption("pdf");
  await panel.getByTestId("export-start").fill("2024-01-01");
  await panel.getByTestId("export-end").fill("2026-11-30");
  await panel.getByTestId("export-submit").click();
  await expect(panel.getByTestId("export-job-status")).toHaveText("completed", { timeout: 60_000 });
  const downloadPromise = page.waitForEvent("download");
  await panel.getByTestId("export-download").click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/\.pdf$/);
  const violations = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
  expect([...violations, ...state.problems]).toEqual([]);
});

test("a malformed path is a 400 (JSON for the API, an OperationOutcome for FHIR), never Next's 500", async ({ page }) => {
  await signInViaApi(page, "therapist");
  for (const path of ["/api/v1/patients/%FF", "/api/v1/export/jobs/%ED%A0%80", "/api/v1/export/templates/%FF/preview"]) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(400);
    expect(response.headers()["content-type"], path).toMatch(/^application\/json/);
    expect(await response.json(), path).toMatchObject({ code: "INVALID_INPUT", issues: [{ path: "(path)", message: "is not valid percent-encoded UTF-8" }] });
  }
  const fhir = await page.request.get("/api/fhir/Patient/%FF");
  expect(fhir.status()).toBe(400);
  expect(await fhir.json()).toMatchObject({ resourceType: "OperationOutcome" });
  const pageResponse = await page.request.get("/patients/%FF");
  expect(pageResponse.status()).toBe(400);
  const nul = await page.request.get("/patients/a%00b");
  expect(nul.status()).toBe(400);
});

test("a client's X-Forwarded-For and request id do not reach the audit trail", async ({ page, browser, baseURL }) => {
  await signInViaApi(page, "therapist");
  const refused = await page.request.get(`/api/v1/patients/csp-probe-${Date.now()}`, { headers: { "x-forwarded-for": "203.0.113.77", "x-careexport-request-id": "chosen-by-client", "x-request-id": "client-trace-1" } });
  expect(refused.status()).toBe(404);
  const requestId = refused.headers()["x-request-id"]!;
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

  const admin = await browser.newContext({ baseURL });
  await signInRequest(admin.request, DEMO_USERS.admin.email, DEMO_USERS.admin.password);
  const audit = await admin.request.get("/api/v1/audit?action=access_denied&page_size=20");
  expect(audit.status()).toBe(200);
  const records = ((await audit.json()) as { records: { ip_address: string | null; request_id: string | null; metadata: Record<string, unknown> | null }[] }).records;
  const record = records.find((row) => row.request_id === requestId);
  expect(record, JSON.stringify(records)).toBeDefined();
  expect(record!.ip_address).toBe("127.0.0.1");
  // The client's own id is kept beside ours, for correlation.
  expect(record!.metadata).toMatchObject({ clientRequestId: "client-trace-1" });
  await admin.close();
});
