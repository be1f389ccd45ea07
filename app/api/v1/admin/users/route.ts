// GET /api/v1/admin/users – admins: users, searchable and paged. POST – create a user (audited user_created).
import { authorize } from "@/lib/auth/authorize";
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { parseOrThrow, searchParamsToObject } from "@/lib/http/validation";
import { createUser, type TCreateUserInput } from "@/lib/users/create-user";
import { getUserOrThrow } from "@/lib/users/get-user";
import { listUsers, ZListUsersQuery } from "@/lib/users/list-users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ request, actor, meta }) => {
  await authorize(actor, { action: "user.manage" }, { meta });
  const query = parseOrThrow(ZListUsersQuery, searchParamsToObject(new URL(request.url).searchParams), "Invalid query");

  return json(await listUsers(query));
});

export const POST = authedRoute(async ({ request, actor, meta }) => {
  await authorize(actor, { action: "user.manage" }, { meta });
  const created = await createUser((await readJsonBody(request)) as TCreateUserInput, { userId: actor.id }, meta);

  return json(await getUserOrThrow(created.id), 201);
});
