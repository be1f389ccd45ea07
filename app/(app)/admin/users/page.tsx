import type { Metadata } from "next";

import { CreateUserForm } from "@/components/admin/create-user-form";
import { Forbidden } from "@/components/forbidden";
import { UsersTable } from "@/components/admin/users-table";
import { Pager } from "@/components/pager";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { listUsers, ZListUsersQuery } from "@/lib/users/list-users";

export const metadata: Metadata = { title: "Users & access" };
export const dynamic = "force-dynamic";

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "user.manage" }))) return <Forbidden what="user administration" />;
  const parsed = ZListUsersQuery.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : ZListUsersQuery.parse({});
  const result = await listUsers(query);
  const pages = Math.max(1, Math.ceil(result.total / result.page_size));
  const pageHref = (page: number) => `/admin/users?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), sort: query.sort, order: query.order, page: String(page) })}`;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Users & access</h1>
          <p className="muted">{result.total} users. Every change here is recorded in the audit trail.</p>
        </div>
        <form className="row" role="search">
          <input type="hidden" name="sort" value={query.sort} />
          <input type="hidden" name="order" value={query.order} />
          <input name="q" placeholder="Search name or email" defaultValue={query.q ?? ""} aria-label="Search users" data-testid="users-search" />
          <button className="btn" type="submit">
            Search
          </button>
        </form>
      </div>
      <UsersTable users={result.users} />
      <Pager page={result.page} pages={pages} hrefFor={pageHref} />
      <div className="card" style={{ marginTop: 16 }}>
        <CreateUserForm />
      </div>
    </>
  );
}
