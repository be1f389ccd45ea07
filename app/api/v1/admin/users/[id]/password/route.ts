// POST /api/v1/admin/users/{id}/password – admins: set a new password for a user (lifts a lockout; audited).
import { route, ZIdParams, ZJsonObject } from "@/lib/http/route";
import { resetUserPassword } from "@/lib/users/reset-user-password";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({
  auth: "both",
  params: ZIdParams,
  policy: { action: "user.manage" },
  // Validated by resetUserPassword (the same rule as the CLI's).
  body: ZJsonObject,
  handler: async ({ actor, params, body, meta }) => {
    await resetUserPassword(params.id, body as { password: string }, { userId: actor.id }, meta);

    return new Response(null, { status: 204 });
  },
});
