// POST /api/fhir/auth/token: SMART Backend Services' client_credentials grant with a signed
// JWT assertion (private_key_jwt). Errors are RFC 6749 JSON; every outcome is audited.
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { issueAccessToken } from "@/lib/fhir/smart/access-tokens";
import { clientKeySet } from "@/lib/fhir/smart/client-keys";
import { grantScopes } from "@/lib/fhir/smart/smart-scopes";
import { logger } from "@/lib/logger";

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const MAX_ASSERTION_SECONDS = 300;
/** Clocks differ a little between the client and us. */
const CLOCK_TOLERANCE_SECONDS = 30;

export class TokenRequestError extends Error {
  constructor(readonly status: 400 | 401, readonly error: string, readonly description: string) {
    super(description);
  }
}

export type TTokenResponse = { access_token: string; token_type: "bearer"; expires_in: number; scope: string };

export async function exchangeClientAssertion(form: URLSearchParams, tokenUrl: string, meta: TRequestMeta): Promise<TTokenResponse> {
  let clientLabel: string | null = null;
  const refuse = async (status: 400 | 401, error: string, description: string) => {
    await recordAudit(null, { action: "login_failure", outcome: "failure", actorLabel: clientLabel ? `smart-client:${clientLabel.slice(0, 80)}` : "smart-client", metadata: { method: "smart-backend-services", error }, meta });
    return new TokenRequestError(status, error, description);
  };

  if (form.get("grant_type") !== "client_credentials") throw await refuse(400, "unsupported_grant_type", "grant_type must be client_credentials");
  if (form.get("client_assertion_type") !== ASSERTION_TYPE) throw await refuse(400, "invalid_request", `client_assertion_type must be ${ASSERTION_TYPE}`);
  const assertion = form.get("client_assertion");
  if (!assertion) throw await refuse(400, "invalid_request", "client_assertion is required");

  let claims: ReturnType<typeof decodeJwt>;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    claims = decodeJwt(assertion);
    header = decodeProtectedHeader(assertion);
  } catch {
    throw await refuse(401, "invalid_client", "client_assertion is not a JWT");
  }
  clientLabel = typeof claims.iss === "string" ? claims.iss : null;
  const client = clientLabel && claims.sub === claims.iss ? await prisma.fhirClient.findUnique({ where: { clientId: clientLabel } }) : null;
  if (!client || client.isDisabled) throw await refuse(401, "invalid_client", "unknown or disabled client (iss and sub must be the client_id)");
  if (header.jku !== undefined && header.jku !== client.jwksUrl) throw await refuse(401, "invalid_client", "jku is not the client's registered JWKS URL");

  let keys: Awaited<ReturnType<typeof clientKeySet>>;
  try {
    keys = await clientKeySet(client);
  } catch (error) {
    logger.warn("SMART client keys could not be loaded", { clientId: client.clientId, error: error instanceof Error ? error.message : String(error) });
    throw await refuse(401, "invalid_client", "the client's keys could not be loaded from its JWKS URL");
  }
  try {
    await jwtVerify(assertion, keys, { algorithms: ["RS384", "ES384"], audience: tokenUrl, issuer: client.clientId, subject: client.clientId, clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ["exp", "jti"] });
  } catch (error) {
    const reason = error instanceof joseErrors.JWTExpired ? "the assertion has expired" : error instanceof joseErrors.JWTClaimValidationFailed ? `claim ${error.claim} is not valid (aud must be ${tokenUrl})` : "the signature does not verify with the client's keys (RS384 or ES384)";
    throw await refuse(401, "invalid_client", reason);
  }
  const expiresAt = new Date(Number(claims.exp) * 1000);
  if (expiresAt.getTime() > Date.now() + (MAX_ASSERTION_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000) throw await refuse(401, "invalid_client", "exp must be at most 5 minutes ahead");
  const jti = String(claims.jti);
  if (!jti || jti.length > 255) throw await refuse(401, "invalid_client", "jti must be 1 to 255 characters");

  const registered = Array.isArray(client.scopes) ? client.scopes.map(String) : [];
  const grant = grantScopes(form.get("scope") ?? "", registered);
  if (!grant.ok) throw await refuse(400, "invalid_scope", grant.reason);

  // A jti is used once: kept until its assertion expires (the primary key refuses a second).
  await prisma.fhirAssertionJti.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - CLOCK_TOLERANCE_SECONDS * 1000) } } });
  try {
    await prisma.fhirAssertionJti.create({ data: { clientId: client.id, jti, expiresAt } });
  } catch {
    throw await refuse(401, "invalid_client", "this assertion's jti was already used");
  }

  const issued = await issueAccessToken(client.id, grant.scopes);
  await recordAudit(null, { action: "fhir_token_issued", userId: client.userId, actorLabel: `smart-client:${client.clientId}`, metadata: { clientId: client.clientId, scopes: grant.scopes, expiresIn: issued.expiresIn }, meta });

  return { access_token: issued.token, token_type: "bearer", expires_in: issued.expiresIn, scope: grant.scopes.join(" ") };
}
