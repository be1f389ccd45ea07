import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";

import { POST as tokenRoute } from "@/app/api/fhir/auth/token/route";
import { DELETE as deleteClientRoute, PATCH as patchClientRoute } from "@/app/api/v1/admin/fhir-clients/[id]/route";
import { GET as listClientsRoute, POST as registerRoute } from "@/app/api/v1/admin/fhir-clients/route";
import { prisma } from "@/lib/db/client";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { createRecord, expectValidR4, read, resourcesOf, search } from "./fhir-api-helpers";

const TOKEN_URL = "http://127.0.0.1:3999/api/fhir/auth/token";

async function keyPair(alg: "ES384" | "RS384") {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: `${alg}-${Math.random().toString(36).slice(2)}`, alg };
  return { privateKey, jwk };
}

function assertion(clientId: string, privateKey: CryptoKey, kid: string, alg = "ES384", claims: { aud?: string; expIn?: number; jti?: string; jku?: string } = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg, kid, typ: "JWT", ...(claims.jku ? { jku: claims.jku } : {}) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(claims.aud ?? TOKEN_URL)
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expIn ?? 240))
    .setJti(claims.jti ?? crypto.randomUUID())
    .sign(privateKey);
}

async function requestToken(form: Record<string, string>) {
  const body = new URLSearchParams(form).toString();
  return call(tokenRoute as never, { path: "/api/fhir/auth/token", rawBody: body, headers: { "content-type": "application/x-www-form-urlencoded" } });
}

const grant = (signed: string, scope: string) => ({ grant_type: "client_credentials", client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: signed, scope });

const servers: { close(): void }[] = [];
afterAll(() => servers.forEach((server) => server.close()));

describe("SMART Backend Services", () => {
  it("an admin registers a client; it signs an assertion (ES384), gets a 5-minute token bound to its scopes, and reads de-identified data", { timeout: 180_000 }, async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const adminToken = await tokenFor(admin.id);
    const { privateKey, jwk } = await keyPair("ES384");
    const record = await createRecord();

    const registered = await call(registerRoute, { token: adminToken, body: { name: "Warehouse job", role: "analyst", jwks: { keys: [jwk] }, scopes: ["system/Observation.read", "system/Patient.s"] } });
    expect(registered.status).toBe(201);
    const clientId = registered.json.client_id as string;
    expect(clientId).toMatch(/^cx-/);
    expect(await prisma.exportAuditLog.count({ where: { action: "fhir_client_registered", userId: admin.id } })).toBe(1);
    const listed = await call(listClientsRoute, { token: adminToken });
    expect((listed.json.clients as { client_id: string }[]).map((client) => client.client_id)).toContain(clientId);

    const issued = await requestToken(grant(await assertion(clientId, privateKey, jwk.kid), "system/Observation.read"));
    expect(issued.status).toBe(200);
    expect(issued.headers.get("content-type")).toContain("application/json");
    expect(issued.headers.get("cache-control")).toBe("no-store");
    expect(issued.json).toMatchObject({ token_type: "bearer", expires_in: 300, scope: "system/Observation.read" });
    const accessToken = issued.json.access_token as string;
    const stored = await prisma.fhirAccessToken.findFirst({ where: { client: { clientId } } });
    expect(stored?.tokenHash).not.toBe(accessToken);

    const observations = await search("Observation?date=ge2024&_count=5", { token: accessToken });
    expect(observations.status).toBe(200);
    expectValidR4(observations.json);
    expect(resourcesOf(observations.json).every((resource) => (resource.meta as { security: { code: string }[] }).security[0]!.code === "PSEUDED")).toBe(true);
    // Bound to its scopes: an Observation token cannot read a Patient.
    const patient = await read("Patient", "P-anything", { token: accessToken });
    expect(patient.status).toBe(403);
    expect(patient.json.resourceType).toBe("OperationOutcome");
    const searched = await prisma.exportAuditLog.findFirst({ where: { action: "fhir_searched" }, orderBy: { seq: "desc" } });
    expect(searched?.metadata).toMatchObject({ clientId, view: "deidentified" });
    expect(record.patient.id).toBeTruthy();

    // v2 search-only scope: search allowed, read refused.
    const searchOnly = await requestToken(grant(await assertion(clientId, privateKey, jwk.kid), "system/Patient.s"));
    expect(searchOnly.status).toBe(200);
    expect((await search("Patient?_count=1", { token: searchOnly.json.access_token as string })).status).toBe(200);
    expect((await read("Patient", "P-x", { token: searchOnly.json.access_token as string })).status).toBe(403);

    // Expired tokens are refused.
    await prisma.fhirAccessToken.updateMany({ where: { client: { clientId } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await search("Observation", { token: accessToken })).status).toBe(401);
  });

  it("refuses bad assertions and scopes with RFC 6749 errors: replayed jti, wrong aud, far exp, wrong key, unknown client, write or launch scopes", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const adminToken = await tokenFor(admin.id);
    const { privateKey, jwk } = await keyPair("RS384");
    const other = await keyPair("ES384");
    const registered = await call(registerRoute, { token: adminToken, body: { name: "Dashboard", role: "admin", jwks: { keys: [jwk] }, scopes: ["system/*.read"] } });
    const clientId = registered.json.client_id as string;

    const signed = await assertion(clientId, privateKey, jwk.kid, "RS384", { jti: "once-only" });
    expect((await requestToken(grant(signed, "system/*.read"))).status).toBe(200);
    const replay = await requestToken(grant(await assertion(clientId, privateKey, jwk.kid, "RS384", { jti: "once-only" }), "system/*.read"));
    expect(replay.status).toBe(401);
    expect(replay.json).toMatchObject({ error: "invalid_client" });
    expect(replay.json.error_description).toContain("jti");

    const cases: [Record<string, string>, number, string][] = [
      [grant(await assertion(clientId, privateKey, jwk.kid, "RS384", { aud: "https://elsewhere.example/token" }), "system/*.read"), 401, "invalid_client"],
      [grant(await assertion(clientId, privateKey, jwk.kid, "RS384", { expIn: 3600 }), "system/*.read"), 401, "invalid_client"],
      [grant(await assertion(clientId, other.privateKey, other.jwk.kid), "system/*.read"), 401, "invalid_client"],
      [grant(await assertion("cx-nobody", privateKey, jwk.kid, "RS384"), "system/*.read"), 401, "invalid_client"],
      [grant(await assertion(clientId, privateKey, jwk.kid, "RS384", { jku: "https://keys.example/jwks.json" }), "system/*.read"), 401, "invalid_client"],
      [grant(await assertion(clientId, privateKey, jwk.kid, "RS384"), "system/Patient.write"), 400, "invalid_scope"],
      [grant(await assertion(clientId, privateKey, jwk.kid, "RS384"), "system/*.read launch"), 400, "invalid_scope"],
      [grant(await assertion(clientId, privateKey, jwk.kid, "RS384"), "system/Medication.read"), 400, "invalid_scope"],
      [grant(await assertion(clientId, privateKey, jwk.kid, "RS384"), ""), 400, "invalid_scope"],
      [{ ...grant(await assertion(clientId, privateKey, jwk.kid, "RS384"), "system/*.read"), grant_type: "password" }, 400, "unsupported_grant_type"],
      [{ ...grant("not-a-jwt", "system/*.read") }, 401, "invalid_client"],
    ];
    for (const [form, status, error] of cases) {
      const answer = await requestToken(form);
      expect(answer.status, JSON.stringify(answer.json)).toBe(status);
      expect(answer.json.error).toBe(error);
    }
    expect(await prisma.exportAuditLog.count({ where: { action: "login_failure", actorLabel: { startsWith: "smart-client" } } })).toBeGreaterThanOrEqual(cases.length);
  });

  it("validates registrations, fetches a jwks_url through the outbound guard, and disabling or removing a client ends its tokens", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const { user: analyst } = await createUser({ role: "ANALYST" });
    const adminToken = await tokenFor(admin.id);
    const { privateKey, jwk } = await keyPair("ES384");

    const invalid = async (body: unknown, path: string) => {
      const answer = await call(registerRoute, { token: adminToken, body });
      expect(answer.status, JSON.stringify(answer.json)).toBe(400);
      expect((answer.json.issues as { path: string }[])[0]!.path).toBe(path);
    };
    await invalid({ name: "No keys", role: "analyst", scopes: ["system/*.read"] }, "jwks");
    await invalid({ name: "Private", role: "analyst", jwks: { keys: [{ ...jwk, d: "secret" }] }, scopes: ["system/*.read"] }, "jwks.keys[0]");
    await invalid({ name: "Writer", role: "analyst", jwks: { keys: [jwk] }, scopes: ["system/*.write"] }, "scopes.0");
    await invalid({ name: "Therapist", role: "therapist", jwks: { keys: [jwk] }, scopes: ["system/*.read"] }, "role");
    await invalid({ name: "Terse", role: "analyst", pii_reason: "x", jwks: { keys: [jwk] }, scopes: ["system/*.read"] }, "pii_reason");
    expect((await call(registerRoute, { token: await tokenFor(analyst.id), body: { name: "x", role: "admin", jwks: { keys: [jwk] }, scopes: ["system/*.read"] } })).status).toBe(403);

    const server = createServer((request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ keys: [jwk] }));
    }).listen(0, "127.0.0.1");
    servers.push(server);
    await once(server, "listening");
    const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    const registered = await call(registerRoute, { token: adminToken, body: { name: "Remote keys", role: "analyst", jwks_url: jwksUrl, scopes: ["system/*.rs"] } });
    expect(registered.status).toBe(201);
    const id = registered.json.id as string;
    const clientId = registered.json.client_id as string;
    const issued = await requestToken(grant(await assertion(clientId, privateKey, jwk.kid, "ES384", { jku: jwksUrl }), "system/Patient.rs"));
    expect(issued.status, JSON.stringify(issued.json)).toBe(200);
    const token = issued.json.access_token as string;
    expect((await search("Patient?_count=1", { token })).status).toBe(200);

    const disabled = await call(patchClientRoute, { method: "PATCH", token: adminToken, params: { id }, body: { is_disabled: true } });
    expect(disabled.status).toBe(200);
    expect(disabled.json.is_disabled).toBe(true);
    expect((await search("Patient?_count=1", { token })).status).toBe(401);
    expect((await requestToken(grant(await assertion(clientId, privateKey, jwk.kid), "system/Patient.rs"))).status).toBe(401);

    expect((await call(deleteClientRoute, { method: "DELETE", token: adminToken, params: { id } })).status).toBe(204);
    expect(await prisma.fhirClient.count({ where: { id } })).toBe(0);
    expect(await prisma.exportAuditLog.count({ where: { action: { in: ["fhir_client_updated", "fhir_client_removed"] }, userId: admin.id } })).toBe(2);
  });
});
