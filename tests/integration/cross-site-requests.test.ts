// CSRF: a state-changing request authenticated by the session cookie must show it came from our
// own pages (Origin, else Sec-Fetch-Site); Bearer requests and reads are not affected.
import { describe, expect, it } from "vitest";

import { POST as copyTemplateRoute } from "@/app/api/v1/export/templates/[id]/copy/route";
import { GET as listTemplatesRoute } from "@/app/api/v1/export/templates/route";
import { prisma } from "@/lib/db/client";
import { syncSystemTemplates } from "@/lib/templates/sync-system-templates";

import { createUser } from "../setup/fixtures";
import { call, sessionCookieFor, tokenFor } from "../setup/http";

async function setUp() {
  await syncSystemTemplates();
  const template = await prisma.exportTemplate.findFirstOrThrow({ where: { isSystem: true, isLatest: true } });
  const { user } = await createUser({ role: "ADMIN" });

  return { user, template, cookie: await sessionCookieFor(user), copies: () => prisma.exportTemplate.count({ where: { createdById: user.id } }) };
}

const copy = (templateId: string, headers: Record<string, string>) => call(copyTemplateRoute, { method: "POST", path: `/api/v1/export/templates/${templateId}/copy`, params: { id: templateId }, headers });

describe("cross-site requests", () => {
  it("refuses a body-less POST from another origin with the session cookie (403, audited), and copies nothing", async () => {
    const { user, template, cookie, copies } = await setUp();
    const refused = await copy(template.id, { cookie, origin: "http://evil.example" });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatch(/Cross-site request refused/);
    expect(await copies()).toBe(0);
    const denial = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "access_denied", userId: user.id }, orderBy: { seq: "desc" } });
    expect(denial).toMatchObject({ outcome: "denied", metadata: expect.objectContaining({ reason: "cross-site request", origin: "http://evil.example", method: "POST" }) });

    // Without Origin a browser still says where the request came from; nothing at all is refused too.
    expect((await copy(template.id, { cookie, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await copy(template.id, { cookie })).status).toBe(403);
    expect((await copy(template.id, { cookie, origin: "null" })).status).toBe(403);
    expect(await copies()).toBe(0);
  });

  it("accepts the same request from our own origin, or marked same-origin by the browser", async () => {
    const { template, cookie, copies } = await setUp();
    expect((await copy(template.id, { cookie, origin: "http://127.0.0.1:3999" })).status).toBe(201);
    expect((await copy(template.id, { cookie, host: "portal.example:8443", origin: "https://portal.example:8443" })).status).toBe(201);
    expect((await copy(template.id, { cookie, "sec-fetch-site": "same-origin" })).status).toBe(201);
    expect(await copies()).toBe(3);
  });

  it("leaves Bearer requests and cookie reads alone", async () => {
    const { user, template, cookie, copies } = await setUp();
    const token = await tokenFor(user.id);
    expect((await call(copyTemplateRoute, { method: "POST", params: { id: template.id }, token, headers: { origin: "http://evil.example" } })).status).toBe(201);
    expect((await call(listTemplatesRoute, { path: "/api/v1/export/templates", headers: { cookie, origin: "http://evil.example" } })).status).toBe(200);
    expect(await copies()).toBe(1);
  });
});
