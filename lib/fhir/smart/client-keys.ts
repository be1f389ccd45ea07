// A client's public keys: its inline JWKS, or the JWKS at its registered URL, fetched through
// the outbound guard (the same SSRF rules as webhooks) and cached briefly.
import { createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK } from "jose";

import { invalidInput } from "@/lib/errors/app-error";
import { outboundFetch } from "@/lib/outbound";

const CACHE_MS = 5 * 60_000;
const cache = new Map<string, { keys: JSONWebKeySet; fetchedAt: number }>();

/** Checks a JWKS offered at registration: public RSA or EC keys that jose can import. */
export async function validateJwks(value: unknown, field = "jwks"): Promise<JSONWebKeySet> {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!value || typeof value !== "object" || !Array.isArray(keys) || keys.length === 0 || keys.length > 20) throw invalidInput(field, "must be a JWKS object: {\"keys\": [ ... 1 to 20 public keys ]}");
  for (const [index, key] of (keys as JWK[]).entries()) {
    if (!key || typeof key !== "object" || (key.kty !== "RSA" && key.kty !== "EC")) throw invalidInput(`${field}.keys[${index}]`, "must be an RSA or EC key");
    if ("d" in key || "p" in key || "q" in key) throw invalidInput(`${field}.keys[${index}]`, "is a private key: register the public key only");
    try {
      await importJWK(key, key.kty === "RSA" ? "RS384" : "ES384");
    } catch {
      throw invalidInput(`${field}.keys[${index}]`, "is not a usable public key (RS384 or ES384 on P-384)");
    }
  }

  return { keys: keys as JWK[] };
}

async function fetchJwks(url: string): Promise<JSONWebKeySet> {
  const cached = cache.get(url);
  if (cached && Date.now() - cached.fetchedAt < CACHE_MS) return cached.keys;
  const response = await outboundFetch(url, { headers: { accept: "application/json" }, timeoutMs: 5_000, maxBytes: 100_000 });
  if (!response.ok) throw new Error(`the JWKS URL answered ${response.status}`);
  const keys = await validateJwks(await response.json(), "jwks_url");
  cache.set(url, { keys, fetchedAt: Date.now() });

  return keys;
}

/** The key set to verify a client's assertion with. */
export async function clientKeySet(client: { jwks: unknown; jwksUrl: string | null }) {
  if (client.jwks) return createLocalJWKSet(client.jwks as JSONWebKeySet);
  if (client.jwksUrl) return createLocalJWKSet(await fetchJwks(client.jwksUrl));
  throw new Error("client has no keys");
}
