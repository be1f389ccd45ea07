// Who may start a bulk export, and how often, when requests arrive together.
import { describe, expect, it } from "vitest";

import { POST as startExportRoute } from "@/app/api/v1/datasets/exports/route";
import { prisma } from "@/lib/db/client";
import { updateSettings } from "@/lib/settings/settings";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

describe("starting dataset exports", () => {
  it("refuses a therapist before reading the body, and audits the refusal", async () => {
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const refused = await call(startExportRoute, { path: "/api/v1/datasets/exports", token: await tokenFor(therapist.id), body: { tier: "anon" } });
    expect(refused.status).toBe(403);
    expect(refused.json.issues).toBeUndefined();
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: therapist.id } })).toBe(1);
  });

  it("lets one of several requests sent at the same moment through the hourly limit", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    await updateSettings({ dataset_exports_per_hour: 1 }, admin.id);
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(analyst.id);

    const responses = await Promise.all(
      Array.from({ length: 6 }, () => call(startExportRoute, { path: "/api/v1/datasets/exports", token, body: { tier: "anon", attestation: true, datasets: ["organizations"] } })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([202, 429, 429, 429, 429, 429]);
    expect(await prisma.exportJob.count({ where: { userId: analyst.id } })).toBe(1);
  });
});
