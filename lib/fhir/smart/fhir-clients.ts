// Admins register SMART Backend Services clients. Each acts as its own service user (analyst or
// admin, no password: it never signs in to the portal), so its reads and searches are decided
// and audited like a person's, and further limited by the scopes granted here.
import { randomBytes } from "node:crypto";

import { z } from "zod";

import { Prisma } from "@/generated/prisma/client";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { validateJwks } from "@/lib/fhir/smart/client-keys";
import { isGrantableScope } from "@/lib/fhir/smart/smart-scopes";
import { AppError, invalidInput } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { assertOutboundTarget } from "@/lib/outbound";

const ZScopes = z.array(z.string().refine(isGrantableScope, "must be a read-only system scope: system/<Type or *>.read, .rs, .r or .s")).min(1, "needs at least one scope").max(20);

const ZCreateClient = z.object({
  name: z.string().trim().min(1, "is required").max(100),
  role: z.enum(["analyst", "admin"], "must be analyst or admin"),
  pii_reason: z.string().trim().min(10, "must say why, in at least 10 characters").max(500).optional(),
  jwks_url: z.url("must be an https URL").max(2000).optional(),
  jwks: z.unknown().optional(),
  scopes: ZScopes,
});

const ZUpdateClient = z.object({
  name: z.string().trim().min(1, "is required").max(100).optional(),
  pii_reason: z.string().trim().min(10, "must say why, in at least 10 characters").max(500).nullable().optional(),
  jwks_url: z.url("must be an https URL").max(2000).nullable().optional(),
  jwks: z.unknown().optional(),
  scopes: ZScopes.optional(),
  is_disabled: z.boolean("must be true or false").optional(),
});

const CLIENT_SELECT = { id: true, clientId: true, name: true, piiReason: true, jwksUrl: true, jwks: true, scopes: true, isDisabled: true, createdAt: true, updatedAt: true, user: { select: { id: true, role: true } } } as const;

type TClientRow = { id: string; clientId: string; name: string; piiReason: string | null; jwksUrl: string | null; jwks: unknown; scopes: unknown; isDisabled: boolean; createdAt: Date; updatedAt: Date; user: { id: string; role: string } };

function toDto(row: TClientRow) {
  return {
    id: row.id,
    client_id: row.clientId,
    name: row.name,
    role: row.user.role.toLowerCase(),
    pii_reason: row.piiReason,
    jwks_url: row.jwksUrl,
    jwks: row.jwks ?? null,
    scopes: Array.isArray(row.scopes) ? row.scopes : [],
    is_disabled: row.isDisabled,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

async function checkKeys(jwksUrl: string | null | undefined, jwks: unknown) {
  if (jwksUrl) {
    if (!jwksUrl.startsWith("https://") && !jwksUrl.startsWith("http://")) throw invalidInput("jwks_url", "must be an http(s) URL");
    await assertOutboundTarget(jwksUrl, "jwks_url");
  }
  return jwks === undefined || jwks === null ? null : await validateJwks(jwks, "jwks");
}

export async function listFhirClients(actor: TActor, meta: TRequestMeta) {
  await authorize(actor, { action: "fhir-client.manage" }, { meta });
  const rows = await prisma.fhirClient.findMany({ orderBy: { createdAt: "desc" }, select: CLIENT_SELECT });

  return { clients: rows.map(toDto) };
}

export async function getFhirClient(actor: TActor, id: string, meta: TRequestMeta) {
  await authorize(actor, { action: "fhir-client.manage" }, { meta });
  const row = await prisma.fhirClient.findUnique({ where: { id }, select: CLIENT_SELECT });
  if (!row) throw new AppError("NOT_FOUND", "FHIR client not found");

  return toDto(row);
}

export async function registerFhirClient(actor: TActor, input: unknown, meta: TRequestMeta) {
  await authorize(actor, { action: "fhir-client.manage" }, { meta });
  const data = parseOrThrow(ZCreateClient, input, "Invalid FHIR client");
  if (!data.jwks_url && data.jwks === undefined) throw invalidInput("jwks", "give jwks (an inline JWKS) or jwks_url");
  const jwks = await checkKeys(data.jwks_url, data.jwks);
  const clientId = `cx-${randomBytes(16).toString("base64url")}`;
  const role = data.role === "admin" ? "ADMIN" : "ANALYST";

  const row = await prisma.$transaction(async (tx) => {
    const user = await tx.user.create({
      data: { email: `${clientId.toLowerCase()}@fhir-clients.invalid`, name: `FHIR client: ${data.name}`, role, piiAccess: role === "ANALYST" && Boolean(data.pii_reason) },
      select: { id: true },
    });
    const created = await tx.fhirClient.create({
      data: { clientId, name: data.name, userId: user.id, piiReason: data.pii_reason ?? null, jwksUrl: data.jwks_url ?? null, jwks: jwks ? (jwks as unknown as Prisma.InputJsonObject) : undefined, scopes: data.scopes, createdById: actor.id },
      select: CLIENT_SELECT,
    });
    await recordAudit(tx, { action: "fhir_client_registered", userId: actor.id, metadata: { fhirClientId: created.id, clientId, serviceUserId: user.id, role, scopes: data.scopes, piiAccess: Boolean(data.pii_reason) }, meta });
    return created;
  });

  return toDto(row);
}

export async function updateFhirClient(actor: TActor, id: string, input: unknown, meta: TRequestMeta) {
  await authorize(actor, { action: "fhir-client.manage" }, { meta });
  const data = parseOrThrow(ZUpdateClient, input, "Invalid FHIR client");
  const current = await prisma.fhirClient.findUnique({ where: { id }, select: CLIENT_SELECT });
  if (!current) throw new AppError("NOT_FOUND", "FHIR client not found");
  const jwksUrl = data.jwks_url === undefined ? current.jwksUrl : data.jwks_url;
  const jwks = data.jwks === undefined ? current.jwks : await checkKeys(null, data.jwks);
  if (data.jwks_url) await checkKeys(data.jwks_url, undefined);
  if (!jwksUrl && !jwks) throw invalidInput("jwks", "a client keeps jwks (an inline JWKS) or jwks_url");
  const piiReason = data.pii_reason === undefined ? current.piiReason : data.pii_reason;

  const row = await prisma.$transaction(async (tx) => {
    const updated = await tx.fhirClient.update({
      where: { id },
      data: { name: data.name, piiReason, jwksUrl, jwks: jwks ? (jwks as unknown as Prisma.InputJsonObject) : Prisma.DbNull, scopes: data.scopes, isDisabled: data.is_disabled },
      select: CLIENT_SELECT,
    });
    await tx.user.update({ where: { id: current.user.id }, data: { piiAccess: current.user.role === "ANALYST" && Boolean(piiReason), isDisabled: updated.isDisabled } });
    // New scopes or keys, or a disabled client: tokens issued before end now.
    await tx.fhirAccessToken.deleteMany({ where: { clientId: id } });
    await recordAudit(tx, { action: "fhir_client_updated", userId: actor.id, metadata: { fhirClientId: id, changed: Object.keys(data).sort(), scopes: updated.scopes, isDisabled: updated.isDisabled, piiAccess: Boolean(piiReason) }, meta });
    return updated;
  });

  return toDto(row);
}

export async function removeFhirClient(actor: TActor, id: string, meta: TRequestMeta) {
  await authorize(actor, { action: "fhir-client.manage" }, { meta });
  const current = await prisma.fhirClient.findUnique({ where: { id }, select: { id: true, clientId: true, userId: true } });
  if (!current) throw new AppError("NOT_FOUND", "FHIR client not found");
  await prisma.$transaction(async (tx) => {
    // The service user goes with it (its tokens and used assertion ids cascade).
    await tx.user.delete({ where: { id: current.userId } });
    await recordAudit(tx, { action: "fhir_client_removed", userId: actor.id, metadata: { fhirClientId: id, clientId: current.clientId, serviceUserId: current.userId }, meta });
  });
}
