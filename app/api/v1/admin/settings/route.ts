// GET /api/v1/admin/settings – admins: current settings. PATCH – change some (each change audited settings_changed).
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";
import { getSettings, updateSettings, type TSettings } from "@/lib/settings/settings";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  policy: { action: "settings.manage" },
  handler: async () => json(await getSettings()),
});

export const PATCH = route({
  auth: "both",
  policy: { action: "settings.manage" },
  // Validated (strictly, field by field) by updateSettings.
  body: ZJsonObject,
  handler: async ({ actor, body, meta }) => json(await updateSettings(body as Partial<TSettings>, actor.id, meta)),
});
