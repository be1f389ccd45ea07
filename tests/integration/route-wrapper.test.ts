// The route wrapper (lib/http/route.ts): every API route answers bad input with a JSON 400 naming
// the field, never a 500 or a silently stored value, on both databases.
import { describe, expect, it } from "vitest";
import { z } from "zod";

import { POST as importFhirRoute } from "@/app/api/fhir/route";
import { POST as progressReportRoute } from "@/app/api/v1/export/progress-report/route";
import { POST as createScheduleRoute } from "@/app/api/v1/export/scheduled/route";
import { POST as createTemplateRoute } from "@/app/api/v1/export/templates/route";
import { GET as getPatientRoute } from "@/app/api/v1/patients/[id]/route";
import { GET as listPatientsRoute } from "@/app/api/v1/patients/route";
import { prisma } from "@/lib/db/client";
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";

import { assignPatient, createPatient, createUser } from "../setup/fixtures";
import { call, sessionCookieFor, tokenFor } from "../setup/http";
import { progressReportSchedule, therapistWithPatient } from "./schedule-helpers";

const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

async function adminToken() {
  const { user } = await createUser({ role: "ADMIN" });

  return tokenFor(user.id);
}

describe("route wrapper: input bounds", () => {
  it("refuses JSON nested 3,000 deep with a 400 (schedule parameters, a FHIR extension), storing nothing", async () => {
    const { user, patient } = await therapistWithPatient();
    const schedule = JSON.stringify(progressReportSchedule(patient.id, { parameters: "__DEEP__" })).replace('"__DEEP__"', deepJson(3000));
    const refused = await call(createScheduleRoute, { path: "/api/v1/export/scheduled", token: await tokenFor(user.id), rawBody: schedule, headers: { "content-type": "application/json" } });
    expect(refused.status).toBe(400);
    expect(refused.json.issues).toEqual([{ path: "(body)", message: "is nested more than 64 levels deep" }]);
    expect(await prisma.scheduledReport.count({ where: { userId: user.id } })).toBe(0);

    const extension = `{"url":"http://example.org/x","extension":[${"{\"url\":\"http://example.org/x\",\"extension\":[".repeat(1500)}{"url":"http://example.org/y","valueString":"z"}${"]}".repeat(1500)}]}`;
    const bundle = `{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Patient","id":"deep-1","extension":[${extension}]}}]}`;
    const fhir = await call(importFhirRoute, { path: "/api/fhir", token: await adminToken(), rawBody: bundle, headers: { "content-type": "application/fhir+json" } });
    expect(fhir.status).toBe(400);
    expect(fhir.json.code).toBe("INVALID_INPUT");
    expect(await prisma.patient.count({ where: { fhirId: "deep-1" } })).toBe(0);
  });

  it("refuses an unpaired surrogate in a path id and in a body field, naming each", async () => {
    const { user, patient } = await therapistWithPatient();
    const token = await tokenFor(user.id);
    const byId = await call(getPatientRoute, { path: "/api/v1/patients/x", token, params: { id: "\ud800" } });
    expect(byId.status).toBe(400);
    expect(byId.json.issues).toEqual([{ path: "id", message: "contains an unpaired surrogate (not valid Unicode text)" }]);

    // Written as the JSON escape a client would send: JSON.parse turns it into a lone surrogate.
    const body = `{"patient_id":"${patient.id}\\udc00","start_date":"2026-01-01","end_date":"2026-02-01","format":"pdf"}`;
    const report = await call(progressReportRoute, { path: "/api/v1/export/progress-report", token, rawBody: body, headers: { "content-type": "application/json" } });
    expect(report.status).toBe(400);
    expect(report.json.issues).toEqual([{ path: "patient_id", message: "contains an unpaired surrogate (not valid Unicode text)" }]);
    expect(await prisma.exportJob.count({ where: { userId: user.id } })).toBe(0);
  });

  it("refuses NUL characters in a body and in a query on both databases, writing nothing", async () => {
    const token = await adminToken();
    const template = { name: "Nul\u0000template", export_type: "progress_report", format: "pdf", template_content: "<p>{{ patient.name }}</p>" };
    const created = await call(createTemplateRoute, { path: "/api/v1/export/templates", token, body: template });
    expect(created.status).toBe(400);
    expect(created.json.issues).toEqual([{ path: "name", message: "must not contain NUL characters" }]);
    expect(await prisma.exportTemplate.count({ where: { name: { startsWith: "Nul" } } })).toBe(0);

    const listed = await call(listPatientsRoute, { path: "/api/v1/patients?q=a%00b", token });
    expect(listed.status).toBe(400);
    expect(listed.json.issues).toEqual([{ path: "q", message: "must not contain NUL characters" }]);
  });

  it("answers malformed percent-encoding in a query, and a body that is not UTF-8, with a 400", async () => {
    const token = await adminToken();
    const listed = await call(listPatientsRoute, { path: "/api/v1/patients?page=1&q=%FF", token });
    expect(listed.status).toBe(400);
    expect(listed.json.issues).toEqual([{ path: "q", message: "is not valid percent-encoded UTF-8" }]);

    const request = new Request("http://127.0.0.1:3999/api/v1/export/templates", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    const response = await createTemplateRoute(request, { params: Promise.resolve({}) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "INVALID_INPUT", issues: [{ path: "(body)", message: "not valid UTF-8" }] });
  });
});

describe("route wrapper: requests and errors", () => {
  it("makes its own request id; a client's X-Request-Id is recorded beside it, and only when it is plausible", async () => {
    const { user } = await createUser({ role: "THERAPIST" });
    const patient = await createPatient();
    await assignPatient(user.id, patient.id);
    const token = await tokenFor(user.id);

    const viewed = await call(getPatientRoute, { path: `/api/v1/patients/${patient.id}`, token, params: { id: patient.id }, headers: { "x-request-id": "trace-42.a" } });
    const serverId = viewed.headers.get("x-request-id");
    expect(serverId).toMatch(/^[0-9a-f-]{36}$/);
    const record = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "patient_viewed", patientId: patient.id } });
    expect(record.requestId).toBe(serverId);
    expect(record.metadata).toMatchObject({ clientRequestId: "trace-42.a" });

    // The proxy's own header, sent by a client that somehow reached the handler without the proxy: not believed.
    const spoofed = await call(getPatientRoute, { path: `/api/v1/patients/${patient.id}`, token, params: { id: patient.id }, headers: { "x-careexport-request-id": "chosen-by-client" } });
    expect(spoofed.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    await call(getPatientRoute, { path: `/api/v1/patients/${patient.id}`, token, params: { id: patient.id }, headers: { "x-request-id": "<script>alert(1)</script>" } });
    const second = await prisma.exportAuditLog.findMany({ where: { action: "patient_viewed", patientId: patient.id }, orderBy: { seq: "desc" }, take: 1 });
    expect(second[0]!.metadata).not.toHaveProperty("clientRequestId");
  });

  it("turns an unexpected failure into a generic JSON 500 carrying the request id, never the error's text", async () => {
    const failing = route({ auth: "none", handler: async () => Promise.reject(new Error("SELECT secret FROM patients")) });
    const response = await call(failing, { path: "/x" });
    expect(response.status).toBe(500);
    expect(response.text).not.toContain("secret");
    expect(response.json).toEqual({ error: expect.stringMatching(/went wrong/), code: "INTERNAL", request_id: response.headers.get("x-request-id") });
  });

  it("authenticates by the declared mode: session-only refuses a token, token-only refuses a cookie", async () => {
    const { user } = await createUser({ role: "ANALYST" });
    const whoAmI = (auth: "session" | "token" | "both") => route({ auth, handler: async ({ actor, via }) => json({ id: actor.id, via }) });
    const cookie = await sessionCookieFor(user);
    const token = await tokenFor(user.id);

    expect((await call(whoAmI("session"), { token })).status).toBe(401);
    expect((await call(whoAmI("session"), { headers: { cookie } })).json).toEqual({ id: user.id, via: "session" });
    expect((await call(whoAmI("token"), { headers: { cookie } })).status).toBe(401);
    expect((await call(whoAmI("both"), { token })).json).toEqual({ id: user.id, via: "token" });
    expect((await call(whoAmI("both"), {})).status).toBe(401);
  });

  it("validates params, query and body with the route's schemas and hands the handler typed values", async () => {
    const echo = route({
      auth: "none",
      params: z.object({ id: z.string().max(5, "is too long") }),
      query: z.object({ n: z.coerce.number().int("must be a whole number") }),
      body: z.object({ tags: z.array(z.string()).max(2, "at most 2") }),
      handler: async ({ params, query, body }) => json({ id: params.id, n: query.n + 1, tags: body.tags }),
    });
    const ok = await call(echo, { path: "/x?n=41", params: { id: "abc" }, body: { tags: ["a"] } });
    expect(ok.json).toEqual({ id: "abc", n: 42, tags: ["a"] });
    expect((await call(echo, { path: "/x?n=41", params: { id: "abcdef" }, body: { tags: [] } })).json.issues).toEqual([{ path: "id", message: "is too long" }]);
    expect((await call(echo, { path: "/x?n=4.5", params: { id: "a" }, body: { tags: [] } })).json.issues).toEqual([{ path: "n", message: "must be a whole number" }]);
    expect((await call(echo, { path: "/x?n=1", params: { id: "a" }, body: { tags: ["a", "b", "c"] } })).json.issues).toEqual([{ path: "tags", message: "at most 2" }]);
    expect((await call(echo, { path: "/x?n=1", params: { id: "a" }, rawBody: "{}", headers: { "content-type": "text/plain" } })).status).toBe(415);
  });
});
