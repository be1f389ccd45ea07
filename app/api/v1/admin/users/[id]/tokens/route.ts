// GET /api/v1/admin/users/{id}/tokens – a user's API tokens (own, or anyone's for admins). POST – create one (shown once;
// audited), from a signed-in session only: a Bearer caller gets 403.
import { json } from "@/lib/http/responses";
import { route, ZIdParams, ZJsonObject } from "@/lib/http/route";
import { issueApiToken, type TIssueApiTokenInput } from "@/lib/users/issue-api-token";
import { listApiTokens } from "@/lib/users/list-api-tokens";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  params: ZIdParams,
  policy: ({ params }) => ({ action: "token.manage", ownerId: params.id }),
  handler: async ({ params }) => json({ tokens: await listApiTokens(params.id) }),
});

export const POST = route({
  auth: "both",
  params: ZIdParams,
  // Validated and authorized by issueApiToken.
  body: ZJsonObject,
  handler: async ({ actor, via, params, body, meta }) => json(await issueApiToken(actor, params.id, body as TIssueApiTokenInput, via, meta), 201),
});
