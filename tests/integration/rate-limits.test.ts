// Issue 17 item 12: the API's request budget (API_RATE_LIMIT_PER_MINUTE, here 3) per user, per
// address when not authenticated; a 429 with Retry-After and RateLimit-* headers (an
// OperationOutcome on the FHIR API); counted in PostgreSQL across instances, in memory on SQLite;
// and downloads paced to DOWNLOAD_BYTES_PER_MINUTE.
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GET as fhirSearchRoute } from "@/app/api/fhir/[type]/route";
import { POST as fhirTokenRoute } from "@/app/api/fhir/auth/token/route";
import { GET as healthRoute } from "@/app/api/health/route";
import { GET as datasetDownloadRoute } from "@/app/api/v1/datasets/exports/[id]/download/route";
import { GET as listPatientsRoute } from "@/app/api/v1/patients/route";
import { isPostgres, prisma } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { forgetLimiters } from "@/lib/rate-limit/limiter-store";
import { storage } from "@/lib/storage";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

const LIMIT = 3;
const PACE_BYTES_PER_MINUTE = 100_000;

beforeAll(() => {
  process.env.API_RATE_LIMIT_PER_MINUTE = String(LIMIT);
  process.env.DOWNLOAD_BYTES_PER_MINUTE = String(PACE_BYTES_PER_MINUTE);
  resetEnvCache();
});

afterAll(() => {
  delete process.env.API_RATE_LIMIT_PER_MINUTE;
  delete process.env.DOWNLOAD_BYTES_PER_MINUTE;
  resetEnvCache();
});

async function therapistToken() {
  const { user } = await createUser({ role: "THERAPIST" });

  return { user, token: await tokenFor(user.id) };
}

const listPatients = (token: string, headers: Record<string, string> = {}) => call(listPatientsRoute, { path: "/api/v1/patients", token, headers });

describe("API rate limit", () => {
  it("lets a user make the set number of requests a minute, then answers 429 with Retry-After and RateLimit-* headers", async () => {
    const { token } = await therapistToken();
    const remaining: string[] = [];
    for (let index = 0; index < LIMIT; index++) {
      const response = await listPatients(token);
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-limit")).toBe(String(LIMIT));
      remaining.push(response.headers.get("ratelimit-remaining")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);

    const refused = await listPatients(token);
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ code: "RATE_LIMITED", error: expect.stringMatching(/^Too many requests: at most 3 a minute\. Try again in \d+ s\.$/) });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(refused.headers.get("ratelimit-reset")).toBe(String(retryAfter));
    expect(refused.headers.get("ratelimit-policy")).toBe("3;w=60");

    // Another user's budget is their own.
    expect((await listPatients((await therapistToken()).token)).status).toBe(200);
  });

  it("counts callers that fail to authenticate by their address, and leaves the health check alone", async () => {
    const fromAddress = (address: string) => listPatients("ce_not-a-real-token", { "x-forwarded-for": address });
    const statuses = [];
    for (let index = 0; index <= LIMIT; index++) statuses.push((await fromAddress("10.44.0.1")).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await fromAddress("10.44.0.2")).status).toBe(401);

    for (let index = 0; index <= LIMIT; index++) {
      const health = await call(healthRoute, { path: "/api/health", headers: { "x-forwarded-for": "10.44.0.3" } });
      expect(health.status).toBe(200);
      expect(health.headers.get("ratelimit-limit")).toBeNull();
    }
  });

  it("answers the FHIR API's 429 as an OperationOutcome with the same headers", async () => {
    const { token } = await therapistToken();
    const search = () => call(fhirSearchRoute, { path: "/api/fhir/Patient", token, params: { type: "Patient" } });
    for (let index = 0; index < LIMIT; index++) expect((await search()).status).toBe(200);
    const refused = await search();
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ resourceType: "OperationOutcome", issue: [{ severity: "error", code: "throttled" }] });
    expect(refused.headers.get("content-type")).toMatch(/^application\/fhir\+json/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit-limit")).toBe(String(LIMIT));
  });

  it("limits the FHIR token endpoint per client address, answering an RFC 6749 JSON 429 with Retry-After", async () => {
    const requestToken = (address: string) =>
      call(fhirTokenRoute as never, {
        path: "/api/fhir/auth/token",
        rawBody: new URLSearchParams({ grant_type: "client_credentials", client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: "not.a.jwt", scope: "system/*.read" }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": address },
      });
    const statuses: number[] = [];
    for (let index = 0; index < LIMIT; index++) {
      const response = await requestToken("10.45.0.1");
      statuses.push(response.status);
      expect(response.headers.get("ratelimit-limit")).toBe(String(LIMIT));
    }
    expect(statuses.every((status) => status === 400 || status === 401)).toBe(true);

    const refused = await requestToken("10.45.0.1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
    expect(refused.json).toEqual({ error: "slow_down", error_description: expect.stringMatching(/^Too many requests: at most 3 a minute/) });
    expect(refused.headers.get("cache-control")).toBe("no-store");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");

    // Another address has its own budget.
    expect([400, 401]).toContain((await requestToken("10.45.0.2")).status);
  });

  it("keeps the count in PostgreSQL, shared by every instance; in memory, per process, on SQLite", async () => {
    const { user, token } = await therapistToken();
    for (let index = 0; index < LIMIT; index++) await listPatients(token);
    const row = await prisma.rateLimit.findUnique({ where: { key: `api:user:${user.id}` } });

    // What another instance, with no counters of its own yet, answers next.
    forgetLimiters();
    const next = await listPatients(token);
    if (isPostgres()) {
      expect(row?.points).toBe(LIMIT);
      expect(next.status).toBe(429);
    } else {
      expect(row).toBeNull();
      expect(next.status).toBe(200);
    }
  });
});

describe("download pacing", () => {
  it("sends a file no faster than DOWNLOAD_BYTES_PER_MINUTE per user: the minute's share at once, then it waits", async () => {
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const content = randomBytes(3 * PACE_BYTES_PER_MINUTE);
    const job = await prisma.exportJob.create({
      data: { kind: "dataset", exportType: "dataset", format: "zip", status: "COMPLETED", userId: analyst.id, parameters: { tier: "anon" }, progressPercent: 100, completedAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000) },
    });
    const fileKey = `${analyst.id}/${job.id}/dataset.zip`;
    const stored = await storage().put(fileKey, content);
    await prisma.exportJob.update({ where: { id: job.id }, data: { fileKey, fileName: "dataset.zip", mimeType: "application/zip", fileSize: stored.size, checksum: stored.checksum } });

    const request = new Request(`http://127.0.0.1:3999/api/v1/datasets/exports/${job.id}/download`, { headers: { authorization: `Bearer ${await tokenFor(analyst.id)}` } });
    const response = await datasetDownloadRoute(request, { params: Promise.resolve({ id: job.id }) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(content.length));
    const reader = response.body!.getReader();
    let received = 0;
    const STALLED = Symbol("stalled");
    for (;;) {
      // Pieces flow at once until the minute's budget is spent; the next one is then a minute away.
      const next = await Promise.race([reader.read(), new Promise<typeof STALLED>((resolve) => setTimeout(() => resolve(STALLED), 2_000))]);
      if (next === STALLED) break;
      expect(next.done).toBe(false);
      received += next.value!.byteLength;
    }
    await reader.cancel();
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThanOrEqual(PACE_BYTES_PER_MINUTE);
    if (isPostgres()) {
      const row = await prisma.rateLimit.findUniqueOrThrow({ where: { key: `download:user:${analyst.id}` } });
      expect(row.points).toBeGreaterThanOrEqual(received);
    }
  });
});
