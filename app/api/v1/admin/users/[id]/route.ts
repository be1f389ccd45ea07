// GET /api/v1/admin/users/{id} – admins: one user with assignments. PATCH – name, role, piiAccess, disable (audited).
import { authorize } from "@/lib/auth/authorize";
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { getUserOrThrow } from "@/lib/users/get-user";
import { updateUser, type TUpdateUserInput } from "@/lib/users/update-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute<{ id: string }>(async ({ actor, params, meta }) => {
  await authorize(actor, { action: "user.manage" }, { meta });

  return json(await getUserOrThrow(params.id));
});

export const PATCH = authedRoute<{ id: string }>(async ({ request, actor, params, meta }) => {
  await authorize(actor, { action: "user.manage" }, { meta });
  await updateUser(params.id, (await readJsonBody(request)) as TUpdateUserInput, { userId: actor.id }, meta);

  return json(await getUserOrThrow(params.id));
});
