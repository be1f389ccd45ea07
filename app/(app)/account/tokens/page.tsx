import type { Metadata } from "next";

import { PlannedPage } from "@/components/planned-page";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

export default async function Page() {
  await requirePageActor();

  return (
    <PlannedPage title="API tokens">
      <p>Creating tokens in the browser is being built. Today: <code>npm run cli -- tokens:create --email YOUR_EMAIL</code>.</p>
    </PlannedPage>
  );
}
