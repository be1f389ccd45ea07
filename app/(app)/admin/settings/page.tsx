import type { Metadata } from "next";

import { SettingsForm } from "@/components/admin/settings-form";
import { Forbidden } from "@/components/forbidden";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { getSettings } from "@/lib/settings/settings";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "settings.manage" }))) return <Forbidden what="settings" />;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Settings</h1>
          <p className="muted">Practice-wide limits and defaults. Each change is recorded in the audit trail as before → after.</p>
        </div>
      </div>
      <SettingsForm initial={await getSettings()} />
    </>
  );
}
