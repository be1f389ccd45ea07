import type { Metadata } from "next";
import Link from "next/link";

import { Forbidden } from "@/components/forbidden";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Administration" };
export const dynamic = "force-dynamic";

function oneDayAgo() {
  return new Date(Date.now() - 86_400_000);
}

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "user.manage" }))) return <Forbidden what="administration" />;
  const since = oneDayAgo();
  const [users, disabled, denials, downloads] = await Promise.all([
    prisma.user.count(),
    prisma.user.count({ where: { isDisabled: true } }),
    prisma.exportAuditLog.count({ where: { outcome: "denied", createdAt: { gte: since } } }),
    prisma.exportAuditLog.count({ where: { action: "downloaded", createdAt: { gte: since } } }),
  ]);

  return (
    <>
      <div className="page-header">
        <h1>Administration</h1>
      </div>
      <div className="grid-3">
        <Link className="card" href="/admin/users" data-testid="admin-users-card">
          <div className="muted small">Users</div>
          <div className="stat">{users}</div>
          <div className="muted small">{disabled} disabled</div>
        </Link>
        <Link className="card" href="/admin/audit?outcome=denied" data-testid="admin-denials-card">
          <div className="muted small">Denials, last 24 h</div>
          <div className="stat">{denials}</div>
        </Link>
        <Link className="card" href="/admin/audit?action=downloaded" data-testid="admin-downloads-card">
          <div className="muted small">Downloads, last 24 h</div>
          <div className="stat">{downloads}</div>
        </Link>
      </div>
      <div className="card">
        <ul>
          <li>
            <Link href="/admin/users">Users & access</Link>: create users, change roles, grant PII access, assign patients, reset passwords, manage tokens.
          </li>
          <li>
            <Link href="/admin/templates">Templates</Link>: report templates.
          </li>
          <li>
            <Link href="/admin/audit">Audit trail</Link>: filter, verify the chain, export CSV.
          </li>
          <li>
            <Link href="/admin/settings">Settings</Link>: file expiry, link lifetime, rate limits, retention, anonymization profile minimum.
          </li>
          <li>
            <Link href="/admin/metrics">Metrics catalog</Link>: define, change and retire the metrics analysts see (each change a version).
          </li>
          <li>
            <Link href="/admin/warehouses">Warehouses</Link>: read-only analytics warehouse connections whose <code>_anon</code> views become datasets, and their column policies.
          </li>
          <li>
            <Link href="/admin/fhir-sources">FHIR sources</Link>: FHIR servers pulled from on a schedule (Bulk <code>$export</code> since the last run, or searches), with each one&apos;s last sync.
          </li>
        </ul>
      </div>
    </>
  );
}
