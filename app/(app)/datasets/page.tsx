import type { Metadata } from "next";

import { Forbidden } from "@/components/forbidden";
import { PlannedPage } from "@/components/planned-page";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Datasets" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "dataset.catalog" }))) return <Forbidden what="datasets" />;

  return (
    <PlannedPage title="Datasets">
      <p>De-identified dataset downloads (CSV ZIP with a manifest), with live progress, are being built. Until then no dataset can be exported from the portal.</p>
    </PlannedPage>
  );
}
