// DELETE /api/v1/tokens/{id} – revoke one of the caller's API tokens (the policy refuses others'
// unless the caller is an admin; audited token_revoked). Alias of /api/v1/admin/tokens/{id}.
import { revokeApiToken } from "@/lib/auth/tokens";
import { authedRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ id: string }>(async ({ actor, params, meta }) => {
  await revokeApiToken({ tokenId: params.id, actor, meta });

  return new Response(null, { status: 204 });
});
