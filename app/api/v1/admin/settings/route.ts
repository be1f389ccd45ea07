// GET /api/v1/admin/settings – admins: current settings. PATCH – change some (each change audited settings_changed).
import { authorize } from "@/lib/auth/authorize";
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { getSettings, updateSettings, type TSettings } from "@/lib/settings/settings";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ actor, meta }) => {
  await authorize(actor, { action: "settings.manage" }, { meta });

  return json(await getSettings());
});

export const PATCH = authedRoute(async ({ request, actor, meta }) => {
  await authorize(actor, { action: "settings.manage" }, { meta });

  return json(await updateSettings((await readJsonBody(request)) as Partial<TSettings>, actor.id, meta));
});
