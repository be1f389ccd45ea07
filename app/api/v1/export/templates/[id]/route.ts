// GET /api/v1/export/templates/{id} – one version with content and version history.
// PUT – saves a new version (system templates are read-only: 409). DELETE – archives.
import { json } from "@/lib/http/responses";
import { route, ZIdParams } from "@/lib/http/route";
import { ZTemplateUpdate } from "@/lib/templates/template-input.types";
import { archiveTemplate, getTemplate, updateTemplate } from "@/lib/templates/template-service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await getTemplate(actor, params.id, meta)) });

export const PUT = route({
  auth: "both",
  params: ZIdParams,
  body: ZTemplateUpdate,
  handler: async ({ actor, params, body, meta }) => json(await updateTemplate(actor, params.id, body, meta)),
});

export const DELETE = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await archiveTemplate(actor, params.id, meta)) });
