import type { Metadata } from "next";

import { Forbidden } from "@/components/forbidden";
import { PlannedPage } from "@/components/planned-page";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Users & access" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "user.manage" }))) return <Forbidden what="user administration" />;

  return (
    <PlannedPage title="Users & access">
      <p>User management in the browser is being built. Use <code>npm run cli -- users:create</code> and <code>npm run cli -- patients:assign</code> meanwhile.</p>
    </PlannedPage>
  );
}
