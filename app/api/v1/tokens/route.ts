// GET /api/v1/tokens – the caller's own API tokens. POST – create one for the caller (the secret is
// shown once; audited token_created), from a signed-in session only: a Bearer caller gets 403.
// Thin aliases over lib/users for non-admin users; admins keep /api/v1/admin/users/{id}/tokens.
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";
import { issueApiToken, type TIssueApiTokenInput } from "@/lib/users/issue-api-token";
import { listApiTokens } from "@/lib/users/list-api-tokens";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ auth: "both", handler: async ({ actor }) => json({ tokens: await listApiTokens(actor.id) }) });

export const POST = route({
  // "both", so a token caller gets the policy's audited 403 rather than a bare 401.
  auth: "both",
  // Validated by issueApiToken.
  body: ZJsonObject,
  handler: async ({ actor, via, body, meta }) => json(await issueApiToken(actor, actor.id, body as TIssueApiTokenInput, via, meta), 201),
});
