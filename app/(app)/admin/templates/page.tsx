import type { Metadata } from "next";

import { Forbidden } from "@/components/forbidden";
import { PlannedPage } from "@/components/planned-page";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Templates" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "template.manage" }))) return <Forbidden what="templates" />;

  return (
    <PlannedPage title="Templates">
      <p>The template editor with live preview is being built.</p>
    </PlannedPage>
  );
}
