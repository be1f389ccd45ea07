import { expect, test } from "@playwright/test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

import { signInViaApi } from "../fixtures/auth";

// An admin registers a SMART Backend Services client in the admin page; the "client" then signs an
// assertion with its private key, gets an access token and searches the FHIR API with it.
test("an admin registers a FHIR client; it signs an assertion and searches de-identified data", async ({ page, baseURL }) => {
  const { privateKey, publicKey } = await generateKeyPair("ES384", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "e2e-key", alg: "ES384" };

  await signInViaApi(page, "admin");
  await page.goto("/admin/fhir-clients");
  await page.getByTestId("fhir-client-name").fill(`E2E warehouse ${Date.now()}`);
  await page.getByTestId("fhir-client-scopes").fill("system/Patient.rs system/Observation.read");
  await page.getByTestId("fhir-client-jwks").fill(JSON.stringify({ keys: [jwk] }));
  await page.getByTestId("fhir-client-register").click();
  await expect(page.getByTestId("fhir-client-message")).toContainText("client_id is cx-");
  const clientId = (await page.getByTestId("fhir-client-message").textContent())!.match(/cx-[A-Za-z0-9_-]+/)![0];

  const tokenUrl = `${baseURL}/api/fhir/auth/token`;
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: "ES384", kid: "e2e-key", typ: "JWT" })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenUrl)
    .setExpirationTime("4m")
    .setJti(crypto.randomUUID())
    .sign(privateKey);
  const api = page.context().request;
  const token = await api.post(tokenUrl, {
    form: { grant_type: "client_credentials", client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: assertion, scope: "system/Patient.rs" },
  });
  expect(token.status()).toBe(200);
  const { access_token: accessToken } = (await token.json()) as { access_token: string };

  const patients = await api.get(`${baseURL}/api/fhir/Patient?_count=5`, { headers: { authorization: `Bearer ${accessToken}`, cookie: "" } });
  expect(patients.status()).toBe(200);
  expect(patients.headers()["content-type"]).toContain("application/fhir+json");
  const bundle = (await patients.json()) as { entry: { resource: { id: string; name?: unknown; meta: { security: { code: string }[] } } }[] };
  expect(bundle.entry.length).toBeGreaterThan(0);
  for (const { resource } of bundle.entry) {
    expect(resource.id).toMatch(/^P-[b-t]{16}$/);
    expect(resource.name).toBeUndefined();
    expect(resource.meta.security[0]!.code).toBe("PSEUDED");
  }
  // The token carries only the scopes asked for.
  const observations = await api.get(`${baseURL}/api/fhir/Observation?_count=1`, { headers: { authorization: `Bearer ${accessToken}`, cookie: "" } });
  expect(observations.status()).toBe(403);
});
