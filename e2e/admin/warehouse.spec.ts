import { expect, test } from "@playwright/test";
import pg from "pg";

import { signInViaApi } from "../fixtures/auth";

// The warehouse is always PostgreSQL (the app's own database may be SQLite): a scratch database
// on the local server stands in for the programme's analytics warehouse.
const SERVER_URL = process.env.E2E_WAREHOUSE_SERVER ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const WAREHOUSE_DB = `careexport_e2e_warehouse_${process.pid}`;
const warehouseUrl = () => {
  const url = new URL(SERVER_URL);
  url.pathname = `/${WAREHOUSE_DB}`;
  return url.toString();
};

async function onServer(sql: string, database?: string) {
  const url = new URL(SERVER_URL);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

test.beforeAll(async () => {
  await onServer(`DROP DATABASE IF EXISTS ${WAREHOUSE_DB}`);
  await onServer(`CREATE DATABASE ${WAREHOUSE_DB}`);
  await onServer(
    `CREATE TABLE visits (id serial PRIMARY KEY, region text, sessions int, client_name text);
     INSERT INTO visits (region, sessions, client_name) SELECT (ARRAY['north','south'])[1 + g % 2], g % 7, 'Client ' || g FROM generate_series(1, 40) g;
     CREATE VIEW visits_anon AS SELECT region, sessions, client_name FROM visits;
     CREATE VIEW raw_visits AS SELECT * FROM visits;`,
    WAREHOUSE_DB,
  );
});

test.afterAll(async () => {
  await onServer(`DROP DATABASE IF EXISTS ${WAREHOUSE_DB} WITH (FORCE)`);
});

test("an admin registers a warehouse, the guard holds back an identifying column, an analyst sees the view", async ({ page, browser }) => {
  await signInViaApi(page, "admin");
  await page.goto("/admin/warehouses");

  await page.getByTestId("warehouse-name").fill("e2e_wh");
  await page.getByTestId("warehouse-url").fill("postgresql://reader:secret-pw@127.0.0.1:1/nowhere");
  await page.getByTestId("warehouse-register").click();
  const message = page.getByTestId("warehouse-message");
  // The field in words ("Address"), not its API name (issue 23, item 13).
  await expect(message).toContainText("Address:");
  await expect(message).not.toContainText("secret-pw");

  await page.getByTestId("warehouse-url").fill(warehouseUrl());
  await page.getByTestId("warehouse-register").click();
  const card = page.getByTestId("warehouse-card").filter({ hasText: "e2e_wh" });
  await expect(card).toContainText("reachable");
  // Only the *_anon view is offered; its client_name column is refused until given a policy.
  await expect(card.getByTestId("warehouse-view")).toHaveCount(1);
  const nameRow = card.getByRole("row").filter({ hasText: "client_name" });
  await expect(nameRow).toContainText("refused");

  const analyst = await browser.newPage();
  await signInViaApi(analyst, "analyst");
  const before = (await (await analyst.request.get("/api/v1/datasets?tier=anon")).json()) as { datasets: { name: string; columns: { name: string }[]; refused_columns?: { name: string }[] }[] };
  const view = before.datasets.find((dataset) => dataset.name === "wh_e2e_wh_visits_anon");
  expect(view?.columns.map((column) => column.name)).toEqual(["region", "sessions"]);
  expect(view?.refused_columns?.map((column) => column.name)).toEqual(["client_name"]);
  expect(before.datasets.some((dataset) => dataset.name.includes("raw_visits"))).toBe(false);

  // The admin masks the column; the analyst's catalog then carries it, redacted.
  await nameRow.getByTestId("warehouse-column-policy").selectOption("redact");
  await expect(nameRow).toContainText("exported");
  await analyst.goto("/datasets");
  const row = analyst.getByTestId("dataset-row").filter({ hasText: "wh_e2e_wh_visits_anon" });
  await expect(row).toContainText("40");
  await expect(row).toContainText("3 columns");

  // Removing the connection takes its datasets out of the catalog.
  page.once("dialog", (dialog) => void dialog.accept());
  await card.getByTestId("warehouse-remove").click();
  await expect(page.getByTestId("warehouse-card").filter({ hasText: "e2e_wh" })).toHaveCount(0);
  const after = (await (await analyst.request.get("/api/v1/datasets?tier=anon")).json()) as { datasets: { name: string }[] };
  expect(after.datasets.some((dataset) => dataset.name.startsWith("wh_e2e_wh"))).toBe(false);
  await analyst.close();
});
