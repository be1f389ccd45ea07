// POST /api/v1/export/templates/{id}/copy – an editable copy (the way to change a system template).
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { parseOrThrow } from "@/lib/http/validation";
import { ZTemplateCopy } from "@/lib/templates/template-input.types";
import { copyTemplate } from "@/lib/templates/template-service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = authedRoute<{ id: string }>(async ({ request, params, actor, meta }) => {
  const body = request.headers.get("content-type") ? await readJsonBody(request) : undefined;

  return json(await copyTemplate(actor, params.id, parseOrThrow(ZTemplateCopy, body), meta), 201);
});
