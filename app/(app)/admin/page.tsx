import type { Metadata } from "next";

import { Forbidden } from "@/components/forbidden";
import { PlannedPage } from "@/components/planned-page";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Administration" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "user.manage" }))) return <Forbidden what="administration" />;

  return (
    <PlannedPage title="Administration">
      <p>The admin console (users, tokens, templates, settings) is being built. Users can be created today with <code>npm run cli -- users:create</code>.</p>
    </PlannedPage>
  );
}
