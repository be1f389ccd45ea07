// GET /api/v1/admin/users/{id} – admins: one user with assignments. PATCH – name, role, piiAccess, disable (audited).
import { json } from "@/lib/http/responses";
import { route, ZIdParams, ZJsonObject } from "@/lib/http/route";
import { getUserOrThrow } from "@/lib/users/get-user";
import { updateUser, type TUpdateUserInput } from "@/lib/users/update-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  params: ZIdParams,
  policy: { action: "user.manage" },
  handler: async ({ params }) => json(await getUserOrThrow(params.id)),
});

export const PATCH = route({
  auth: "both",
  params: ZIdParams,
  policy: { action: "user.manage" },
  // Validated by updateUser.
  body: ZJsonObject,
  handler: async ({ actor, params, body, meta }) => {
    await updateUser(params.id, body as TUpdateUserInput, { userId: actor.id }, meta);

    return json(await getUserOrThrow(params.id));
  },
});
