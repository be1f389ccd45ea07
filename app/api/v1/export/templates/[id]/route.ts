// GET /api/v1/export/templates/{id} – one version with content and version history.
// PUT – saves a new version (system templates are read-only: 409). DELETE – archives.
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { parseOrThrow } from "@/lib/http/validation";
import { ZTemplateUpdate } from "@/lib/templates/template-input.types";
import { archiveTemplate, getTemplate, updateTemplate } from "@/lib/templates/template-service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute<{ id: string }>(async ({ params, actor, meta }) => json(await getTemplate(actor, params.id, meta)));

export const PUT = authedRoute<{ id: string }>(async ({ request, params, actor, meta }) => {
  const input = parseOrThrow(ZTemplateUpdate, await readJsonBody(request));

  return json(await updateTemplate(actor, params.id, input, meta));
});

export const DELETE = authedRoute<{ id: string }>(async ({ params, actor, meta }) => json(await archiveTemplate(actor, params.id, meta)));
