// What an admin sends to register or change a FHIR source, validated: 400 naming the field.
import { importJWK, type JWK } from "jose";
import { z } from "zod";

import { RESOURCE_TYPES } from "@/lib/fhir/import/fhir-schemas";

export const AUTH_TYPES = ["none", "bearer", "smart"] as const;
export const SYNC_MODES = ["auto", "bulk", "search"] as const;

const ZBaseUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, "must be an http(s) URL with no credentials, query or fragment, e.g. https://fhir.example.org/r4")
  .transform((value) => value.replace(/\/+$/, ""));

const ZResourceTypes = z
  .array(z.enum(RESOURCE_TYPES as [string, ...string[]], { error: `each must be an importable type: ${RESOURCE_TYPES.join(", ")}` }))
  .min(1, "name at least one resource type")
  .refine((types) => new Set(types).size === types.length, "lists a type twice");

/** A SMART Backend Services private key: an RSA or P-384 EC private JWK, as the source registered its public half. */
const ZPrivateJwk = z
  .record(z.string(), z.unknown(), { error: "must be a private JWK (a JSON object)" })
  .refine((jwk) => (jwk.kty === "RSA" || (jwk.kty === "EC" && jwk.crv === "P-384")) && typeof jwk.d === "string", "must be an RSA or EC P-384 private JWK (with its d)");

const auth = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }).strict(),
  z.object({ type: z.literal("bearer"), token: z.string().trim().min(8, "is too short to be a token").max(4000) }).strict(),
  z
    .object({
      type: z.literal("smart"),
      client_id: z.string().trim().min(1, "is required").max(200),
      private_key: ZPrivateJwk,
      /** Default: discovered from {base}/.well-known/smart-configuration at each sync. */
      token_url: ZBaseUrl.optional(),
      scope: z.string().trim().min(1).max(1000).optional(),
    })
    .strict(),
], { error: `auth.type must be one of ${AUTH_TYPES.join(", ")}` });

export const ZFhirSourceRegistration = z
  .object({
    name: z.string().trim().regex(/^[a-z][a-z0-9_-]{0,47}$/, "must be 1-48 lowercase letters, digits, - or _, starting with a letter"),
    base_url: ZBaseUrl,
    auth,
    mode: z.enum(SYNC_MODES, { error: `must be one of ${SYNC_MODES.join(", ")}` }).default("auto"),
    /** Absent or empty: every importable type the source offers. */
    resource_types: ZResourceTypes.or(z.array(z.never()).length(0)).default([]),
    /** Validated by parseRuleOrThrow (the schedules' own rule); null or absent: on request only. */
    schedule_type: z.string().nullable().optional(),
    schedule_config: z.unknown().optional(),
    is_active: z.boolean().default(true),
  })
  .strict();
export type TFhirSourceRegistration = z.output<typeof ZFhirSourceRegistration>;

export const ZFhirSourceChange = z
  .object({
    base_url: ZBaseUrl.optional(),
    auth: auth.optional(),
    mode: z.enum(SYNC_MODES, { error: `must be one of ${SYNC_MODES.join(", ")}` }).optional(),
    resource_types: ZResourceTypes.or(z.array(z.never()).length(0)).optional(),
    schedule_type: z.string().nullable().optional(),
    schedule_config: z.unknown().optional(),
    is_active: z.boolean().optional(),
  })
  .strict();
export type TFhirSourceChange = z.output<typeof ZFhirSourceChange>;

export type TSourceAuthInput = z.output<typeof auth>;

/** The signing algorithm of a private key (SMART Backend Services allows RS384 and ES384). */
export const signingAlgorithmOf = (jwk: JWK) => (jwk.kty === "EC" ? "ES384" : "RS384");

/** jose must accept the key as it will sign with it; a key it refuses is a 400 now, not a failed sync later. */
export async function assertUsablePrivateKey(jwk: JWK): Promise<string | null> {
  try {
    await importJWK(jwk, signingAlgorithmOf(jwk));
    return null;
  } catch (error) {
    return `is not a usable private key (${error instanceof Error ? error.message : "unreadable"})`;
  }
}
