import type { Metadata } from "next";
import { Suspense } from "react";

import { AuditBrowser } from "@/components/audit/audit-browser";
import { Forbidden } from "@/components/forbidden";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Audit trail" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "audit.read" }))) return <Forbidden what="the audit trail" />;
  // The user picker lists everyone who can appear in the trail; records of deleted users still filter by id via the URL.
  const users = await prisma.user.findMany({ orderBy: [{ name: "asc" }, { email: "asc" }], select: { id: true, name: true, email: true }, take: 1000 });

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Audit trail</h1>
          <p className="muted">Every export, download, sign-in, denial and administrative change, hash-chained so an edited or deleted record shows.</p>
        </div>
      </div>
      <Suspense fallback={<div className="empty">Loading…</div>}>
        <AuditBrowser users={users} actions={AUDIT_ACTIONS} />
      </Suspense>
    </>
  );
}
