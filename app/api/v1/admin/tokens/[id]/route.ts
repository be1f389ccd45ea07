// DELETE /api/v1/admin/tokens/{id} – revoke an API token (own, or anyone's for admins; audited token_revoked).
import { revokeApiToken } from "@/lib/auth/tokens";
import { route, ZIdParams } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const DELETE = route({
  auth: "both",
  params: ZIdParams,
  handler: async ({ actor, params, meta }) => {
    await revokeApiToken({ tokenId: params.id, actor, meta });

    return new Response(null, { status: 204 });
  },
});
