import type { Metadata } from "next";

import { Forbidden } from "@/components/forbidden";
import { PlannedPage } from "@/components/planned-page";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "settings.manage" }))) return <Forbidden what="settings" />;

  return (
    <PlannedPage title="Settings">
      <p>Settings (file expiry, link lifetime, rate limits, retention, anonymization profile minimum) are being built.</p>
    </PlannedPage>
  );
}
