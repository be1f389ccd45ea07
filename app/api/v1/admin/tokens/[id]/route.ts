// DELETE /api/v1/admin/tokens/{id} – revoke an API token (own, or anyone's for admins; audited token_revoked).
import { revokeApiToken } from "@/lib/auth/tokens";
import { authedRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ id: string }>(async ({ actor, params, meta }) => {
  await revokeApiToken({ tokenId: params.id, actor, meta });

  return new Response(null, { status: 204 });
});
