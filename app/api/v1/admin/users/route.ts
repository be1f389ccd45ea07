// GET /api/v1/admin/users – admins: users, searchable and paged. POST – create a user (audited user_created).
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";
import { createUser, type TCreateUserInput } from "@/lib/users/create-user";
import { getUserOrThrow } from "@/lib/users/get-user";
import { listUsers, ZListUsersQuery } from "@/lib/users/list-users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  policy: { action: "user.manage" },
  query: ZListUsersQuery,
  handler: async ({ query }) => json(await listUsers(query)),
});

export const POST = route({
  auth: "both",
  policy: { action: "user.manage" },
  // Validated by createUser (the same rules as `cli users:create`).
  body: ZJsonObject,
  handler: async ({ actor, body, meta }) => {
    const created = await createUser(body as TCreateUserInput, { userId: actor.id }, meta);

    return json(await getUserOrThrow(created.id), 201);
  },
});
