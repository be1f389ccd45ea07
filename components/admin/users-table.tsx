"use client";

// The admin's users list: sorted and paged by the server (lib/users/list-users.ts).
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";

import { DataTable } from "@/components/ui/data-table";
import { useUrlSorting } from "@/components/ui/use-url-sorting";
import type { TUserDto } from "@/lib/users/list-users";

const ROLE_LABEL = { therapist: "Therapist", analyst: "Analyst", admin: "Administrator" } as const;
const SORTABLE = ["name", "email", "role", "last_login"] as const;
const column = createColumnHelper<TUserDto>();

const columns = [
  column.accessor("name", { id: "name", header: "Name", cell: (info) => <Link href={`/admin/users/${info.row.original.id}`}>{info.getValue()}</Link> }),
  column.accessor("email", { id: "email", header: "Email" }),
  column.accessor("role", {
    id: "role",
    header: "Role",
    cell: (info) => (
      <>
        {ROLE_LABEL[info.getValue()]}
        {info.row.original.pii_access && (
          <span className="badge badge-info" style={{ marginLeft: 6 }}>
            PII
          </span>
        )}
      </>
    ),
  }),
  column.accessor("assignment_count", { header: "Patients", enableSorting: false, cell: (info) => (info.row.original.role === "therapist" ? info.getValue() : "—") }),
  column.display({
    id: "status",
    header: "Status",
    cell: ({ row: { original: user } }) =>
      user.is_disabled ? <span className="badge badge-danger">disabled</span> : user.is_locked ? <span className="badge badge-warn">locked</span> : <span className="badge badge-ok">active</span>,
  }),
  column.accessor("last_login_at", { id: "last_login", header: "Last sign-in", cell: (info) => info.getValue()?.slice(0, 10) ?? "never" }),
];

export function UsersTable({ users }: { users: TUserDto[] }) {
  const { sorting, onSortingChange } = useUrlSorting({ sort: "name", order: "asc" }, SORTABLE);

  return <DataTable testId="users-table" rowTestId="user-row" columns={columns} data={users} getRowId={(user) => user.id} sorting={sorting} onSortingChange={onSortingChange} empty="No user matches that search." />;
}
