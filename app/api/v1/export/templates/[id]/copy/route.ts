// POST /api/v1/export/templates/{id}/copy – an editable copy (the way to change a system template).
import { json } from "@/lib/http/responses";
import { route, ZIdParams } from "@/lib/http/route";
import { ZTemplateCopy } from "@/lib/templates/template-input.types";
import { copyTemplate } from "@/lib/templates/template-service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({
  auth: "both",
  params: ZIdParams,
  body: ZTemplateCopy,
  handler: async ({ actor, params, body, meta }) => json(await copyTemplate(actor, params.id, body, meta), 201),
});
