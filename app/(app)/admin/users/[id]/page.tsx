import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { TokenManager } from "@/components/admin/token-manager";
import { UserEditor } from "@/components/admin/user-editor";
import { Forbidden } from "@/components/forbidden";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { getSettings } from "@/lib/settings/settings";
import { getUserOrThrow } from "@/lib/users/get-user";

export const metadata: Metadata = { title: "User" };
export const dynamic = "force-dynamic";

async function loadUser(id: string) {
  try {
    return await getUserOrThrow(id);
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "user.manage" }))) return <Forbidden what="user administration" />;
  const { id } = await params;
  const user = await loadUser(id);
  const { api_token_max_days: maxDays } = await getSettings();
  // Where a caseload can go: the other active therapists.
  const therapists =
    user.role === "therapist" ? await prisma.user.findMany({ where: { role: "THERAPIST", isDisabled: false, id: { not: user.id } }, orderBy: { name: "asc" }, select: { id: true, name: true, email: true } }) : [];
  return (
    <>
      <div className="page-header">
        <div>
          <p className="small">
            <Link href="/admin/users">← Users</Link>
          </p>
          <h1 data-testid="user-name">{user.name}</h1>
          <p className="muted">
            {user.email} · {user.role} {user.is_disabled && <span className="badge badge-danger">disabled</span>}
          </p>
        </div>
        <Link className="btn" href={`/admin/audit?user=${user.id}`}>
          Audit trail of this user
        </Link>
      </div>
      <UserEditor user={user} isSelf={user.id === actor.id} otherTherapists={therapists} />
      <h2 style={{ marginTop: 16 }}>API tokens</h2>
      <TokenManager userId={user.id} maxDays={maxDays} />
    </>
  );
}
