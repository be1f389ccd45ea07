// Requests to one FHIR source for one sync run: every request goes through the outbound guard
// (lib/outbound) and carries the source's credentials. SMART Backend Services: a signed JWT
// assertion (RS384 or ES384) is exchanged at the token endpoint for an access token, reused
// until shortly before it expires.
import { randomUUID } from "node:crypto";

import { importJWK, type JWK, SignJWT } from "jose";
import { z } from "zod";

import { signingAlgorithmOf } from "@/lib/fhir/sources/fhir-source-input";
import { httpFailure, pathOf, SyncRefusedError, SyncUnavailableError } from "@/lib/fhir/sources/sync-error";
import { OutboundRefusedError, outboundFetch, type TOutboundFetchInit } from "@/lib/outbound";
import { decryptSecret } from "@/lib/storage/encrypted-secret";

export type TSourceCredentials = {
  baseUrl: string;
  authType: string;
  encryptedSecret: string | null;
  clientId: string | null;
  tokenUrl: string | null;
  scope: string | null;
};

const DEFAULT_SCOPE = "system/*.read";
const ASSERTION_SECONDS = 300;
/** An access token is renewed this long before the source says it expires. */
const RENEW_BEFORE_MS = 30_000;

const ZTokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().positive().optional() });
const ZSmartConfiguration = z.object({ token_endpoint: z.string().min(1) });

export type TSourceSession = {
  baseUrl: string;
  /** A request to the source with its credentials (`withAuth: false` for URLs that must not get them). */
  fetch(url: string, init?: TOutboundFetchInit & { withAuth?: boolean }): Promise<Response>;
};

function secretOf(source: TSourceCredentials): string {
  if (!source.encryptedSecret) throw new SyncRefusedError("the source's credentials are missing: set its auth again");
  try {
    return decryptSecret(source.encryptedSecret);
  } catch {
    throw new SyncRefusedError("the source's credentials no longer decrypt (the file key changed): set its auth again");
  }
}

/** Network-level failures as sync errors: a refused address is permanent, anything else transient. */
async function send(url: string, init: TOutboundFetchInit): Promise<Response> {
  try {
    return await outboundFetch(url, init);
  } catch (error) {
    if (error instanceof OutboundRefusedError) throw new SyncRefusedError(`${pathOf(url)}: refused by the outbound rules (${error.message})`);
    if (init.signal?.aborted) throw init.signal.reason;
    throw new SyncUnavailableError(`${pathOf(url)}: ${error instanceof Error ? error.message : "request failed"}`);
  }
}

async function smartAccessToken(source: TSourceCredentials, signal: AbortSignal): Promise<{ token: string; expiresAt: number }> {
  let tokenUrl = source.tokenUrl;
  if (!tokenUrl) {
    const discovery = await send(`${source.baseUrl}/.well-known/smart-configuration`, { headers: { accept: "application/json" }, signal });
    if (!discovery.ok) throw httpFailure("SMART discovery", `${source.baseUrl}/.well-known/smart-configuration`, discovery.status);
    const parsed = ZSmartConfiguration.safeParse(await discovery.json().catch(() => null));
    if (!parsed.success) throw new SyncRefusedError("SMART discovery: the source's smart-configuration names no token_endpoint");
    tokenUrl = parsed.data.token_endpoint;
  }
  const jwk = JSON.parse(secretOf(source)) as JWK;
  const algorithm = signingAlgorithmOf(jwk);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: algorithm, typ: "JWT", ...(jwk.kid ? { kid: jwk.kid } : {}) })
    .setIssuer(source.clientId!)
    .setSubject(source.clientId!)
    .setAudience(tokenUrl)
    .setIssuedAt()
    .setExpirationTime(`${ASSERTION_SECONDS}s`)
    .setJti(randomUUID())
    .sign(await importJWK(jwk, algorithm));
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    scope: source.scope ?? DEFAULT_SCOPE,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: assertion,
  });
  const answer = await send(tokenUrl, { method: "POST", body: form, headers: { accept: "application/json" }, signal });
  if (!answer.ok) {
    // RFC 6749 error codes are safe to show (invalid_client, invalid_scope...); descriptions are not read.
    const code = ((await answer.json().catch(() => null)) as { error?: unknown } | null)?.error;
    throw answer.status >= 500 ? httpFailure("SMART token request", tokenUrl, answer.status) : new SyncRefusedError(`SMART token request: ${pathOf(tokenUrl)} answered HTTP ${answer.status}${typeof code === "string" ? ` (${code.slice(0, 40)})` : ""}`);
  }
  const parsed = ZTokenResponse.safeParse(await answer.json().catch(() => null));
  if (!parsed.success) throw new SyncRefusedError("SMART token request: the answer has no access_token");

  return { token: parsed.data.access_token, expiresAt: Date.now() + (parsed.data.expires_in ?? 300) * 1000 };
}

export function openSourceSession(source: TSourceCredentials, signal: AbortSignal): TSourceSession {
  let smartToken: { token: string; expiresAt: number } | null = null;

  async function authorization(): Promise<Record<string, string>> {
    if (source.authType === "bearer") return { authorization: `Bearer ${secretOf(source)}` };
    if (source.authType === "smart") {
      if (!smartToken || smartToken.expiresAt - RENEW_BEFORE_MS < Date.now()) smartToken = await smartAccessToken(source, signal);
      return { authorization: `Bearer ${smartToken.token}` };
    }

    return {};
  }

  return {
    baseUrl: source.baseUrl,
    async fetch(url, init = {}) {
      const { withAuth = true, headers, ...rest } = init;
      const credentials = withAuth ? await authorization() : {};

      return send(url, { ...rest, signal, headers: { ...Object.fromEntries(new Headers(headers)), ...credentials } });
    },
  };
}
