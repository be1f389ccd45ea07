// Scheduled pull from a source FHIR server (issue 24 part 2), end to end: the source is a second
// CareExport in its own process and database (tests/setup/fhir-source-server.ts: its real route
// handlers on 127.0.0.1), the sync runs here as a fhir_sync job through the real Bulk $export
// client, the outbound guard and the real import.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GET as heartbeatGet } from "@/app/api/v1/heartbeat/route";
import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { importAtSource, practice, registerSource, startSourceInstance, syncNow, type TSourceInstance } from "./fhir-source-helpers";

let source: TSourceInstance;
let adminToken: string;

beforeAll(async () => {
  source = await startSourceInstance();
  const { user } = await createUser({ role: "ADMIN" });
  adminToken = await tokenFor(user.id);
}, 90_000);

afterAll(async () => {
  await source?.stop();
});

describe("FHIR source sync by Bulk $export", () => {
  it("first run takes everything, the next only what changed at the source; the watermark moves with the import", async () => {
    await importAtSource(source, practice("bk"));
    const registered = await registerSource(adminToken, { name: "upstream", base_url: source.baseUrl, auth: { type: "bearer", token: source.adminToken } });
    expect(registered.status, registered.text).toBe(201);
    expect(registered.text).not.toContain(source.adminToken);
    const sourceId = registered.json.id as string;

    const first = await syncNow(adminToken, sourceId);
    expect(first.job.status, `${first.job.errorMessage} / ${first.run.error}`).toBe("COMPLETED");
    expect(first.run).toMatchObject({ status: "succeeded", method: "bulk", since: null, resourceCount: 12 });
    expect(await prisma.patient.count({ where: { fhirId: { startsWith: "bk-pat-" } } })).toBe(2);
  }, 90_000);
});

void heartbeatGet;
void call;
