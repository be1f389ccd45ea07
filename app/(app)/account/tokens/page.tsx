import type { Metadata } from "next";

import { TokenManager } from "@/components/admin/token-manager";
import { requirePageActor } from "@/lib/auth/session";
import { getSettings } from "@/lib/settings/settings";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  const { api_token_max_days: maxDays } = await getSettings();

  return (
    <>
      <div className="page-header">
        <div>
          <h1>API tokens</h1>
          <p className="muted">
            Tokens let scripts call the API as you (<code>Authorization: Bearer …</code>) with your role&apos;s access. Revoke any you no longer use.
          </p>
        </div>
      </div>
      <TokenManager userId={actor.id} maxDays={maxDays} />
    </>
  );
}
