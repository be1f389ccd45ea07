import type { Metadata } from "next";

import { PlannedPage } from "@/components/planned-page";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "My exports" };
export const dynamic = "force-dynamic";

export default async function Page() {
  await requirePageActor();

  return (
    <PlannedPage title="My exports">
      <p>The list of your export jobs, with live status and downloads, is being built.</p>
    </PlannedPage>
  );
}
