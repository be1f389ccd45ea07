import type { Metadata } from "next";

import { PlannedPage } from "@/components/planned-page";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Schedules" };
export const dynamic = "force-dynamic";

export default async function Page() {
  await requirePageActor();

  return (
    <PlannedPage title="Schedules">
      <p>Scheduled reports and datasets are being built.</p>
    </PlannedPage>
  );
}
