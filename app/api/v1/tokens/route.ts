// GET /api/v1/tokens – the caller's own API tokens. POST – create one for the caller (the secret is
// shown once; audited token_created), from a signed-in session only: a Bearer caller gets 403.
// Thin aliases over lib/users for non-admin users; admins keep /api/v1/admin/users/{id}/tokens.
import { requestAuthMethod } from "@/lib/auth/request-auth-method";
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { issueApiToken, type TIssueApiTokenInput } from "@/lib/users/issue-api-token";
import { listApiTokens } from "@/lib/users/list-api-tokens";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ actor }) => json({ tokens: await listApiTokens(actor.id) }));

export const POST = authedRoute(async ({ request, actor, meta }) => {
  const body = (await readJsonBody(request)) as TIssueApiTokenInput;

  return json(await issueApiToken(actor, actor.id, body, requestAuthMethod(request), meta), 201, { "Cache-Control": "no-store" });
});
