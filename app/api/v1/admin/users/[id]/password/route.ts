// POST /api/v1/admin/users/{id}/password – admins: set a new password for a user (lifts a lockout; audited).
import { authorize } from "@/lib/auth/authorize";
import { authedRoute, readJsonBody } from "@/lib/http/route";
import { resetUserPassword } from "@/lib/users/reset-user-password";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = authedRoute<{ id: string }>(async ({ request, actor, params, meta }) => {
  await authorize(actor, { action: "user.manage" }, { meta });
  await resetUserPassword(params.id, (await readJsonBody(request)) as { password: string }, { userId: actor.id }, meta);

  return new Response(null, { status: 204 });
});
