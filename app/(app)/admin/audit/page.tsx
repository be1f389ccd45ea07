import type { Metadata } from "next";

import { Forbidden } from "@/components/forbidden";
import { PlannedPage } from "@/components/planned-page";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Audit trail" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "audit.read" }))) return <Forbidden what="the audit trail" />;

  return (
    <PlannedPage title="Audit trail">
      <p>The audit browser is being built. Every export, download, sign-in and denial is already recorded; verify the chain with <code>npm run cli -- audit:verify</code>.</p>
    </PlannedPage>
  );
}
