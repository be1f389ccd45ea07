// GET /api/v1/admin/users/{id}/tokens – a user's API tokens (own, or anyone's for admins). POST – create one (shown once; audited).
import { authorize } from "@/lib/auth/authorize";
import { requestAuthMethod } from "@/lib/auth/request-auth-method";
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { issueApiToken, type TIssueApiTokenInput } from "@/lib/users/issue-api-token";
import { listApiTokens } from "@/lib/users/list-api-tokens";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute<{ id: string }>(async ({ actor, params, meta }) => {
  await authorize(actor, { action: "token.manage", ownerId: params.id }, { meta });

  return json({ tokens: await listApiTokens(params.id) });
});

export const POST = authedRoute<{ id: string }>(async ({ request, actor, params, meta }) => {
  const body = (await readJsonBody(request)) as TIssueApiTokenInput;

  return json(await issueApiToken(actor, params.id, body, requestAuthMethod(request), meta), 201, { "Cache-Control": "no-store" });
});
