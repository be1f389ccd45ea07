import type { Metadata } from "next";
import Link from "next/link";

import { CreateUserForm } from "@/components/admin/create-user-form";
import { Forbidden } from "@/components/forbidden";
import { Pager } from "@/components/pager";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { listUsers, ZListUsersQuery } from "@/lib/users/list-users";

export const metadata: Metadata = { title: "Users & access" };
export const dynamic = "force-dynamic";

const ROLE_LABEL = { therapist: "Therapist", analyst: "Analyst", admin: "Administrator" } as const;

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "user.manage" }))) return <Forbidden what="user administration" />;
  const parsed = ZListUsersQuery.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : { page: 1, page_size: 50 };
  const result = await listUsers(query);
  const pages = Math.max(1, Math.ceil(result.total / result.page_size));
  const pageHref = (page: number) => `/admin/users?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), page: String(page) })}`;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Users & access</h1>
          <p className="muted">{result.total} users. Every change here is recorded in the audit trail.</p>
        </div>
        <form className="row" role="search">
          <input name="q" placeholder="Search name or email" defaultValue={query.q ?? ""} aria-label="Search users" data-testid="users-search" />
          <button className="btn" type="submit">
            Search
          </button>
        </form>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="users-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Patients</th>
              <th>Status</th>
              <th>Last sign-in</th>
            </tr>
          </thead>
          <tbody>
            {result.users.map((user) => (
              <tr key={user.id} data-testid="user-row">
                <td>
                  <Link href={`/admin/users/${user.id}`}>{user.name}</Link>
                </td>
                <td>{user.email}</td>
                <td>
                  {ROLE_LABEL[user.role]}
                  {user.pii_access && <span className="badge badge-info" style={{ marginLeft: 6 }}>PII</span>}
                </td>
                <td>{user.role === "therapist" ? user.assignment_count : "—"}</td>
                <td>{user.is_disabled ? <span className="badge badge-danger">disabled</span> : user.is_locked ? <span className="badge badge-warn">locked</span> : <span className="badge badge-ok">active</span>}</td>
                <td>{user.last_login_at ? user.last_login_at.slice(0, 10) : "never"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {result.users.length === 0 && <div className="empty">No user matches that search.</div>}
      </div>
      <Pager page={result.page} pages={pages} hrefFor={pageHref} />
      <div className="card" style={{ marginTop: 16 }}>
        <CreateUserForm />
      </div>
    </>
  );
}
