// GET /api/v1/export/templates?export_type=&format= – latest, non-archived templates, and the catalog of sections.
// POST /api/v1/export/templates – admins create a template (validated: line and reason on error).
import { json, authedRoute, readJsonBody } from "@/lib/http/route";
import { parseOrThrow, searchParamsToObject } from "@/lib/http/validation";
import { sectionCatalogFor } from "@/lib/templates/section-catalog";
import { ZTemplateCreate, ZTemplateListQuery } from "@/lib/templates/template-input.types";
import { createTemplate, listTemplates } from "@/lib/templates/template-service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ request, actor, meta }) => {
  const query = parseOrThrow(ZTemplateListQuery, searchParamsToObject(new URL(request.url).searchParams), "Invalid query");

  return json({ templates: await listTemplates(actor, query, meta), sections: sectionCatalogFor(query.export_type) });
});

export const POST = authedRoute(async ({ request, actor, meta }) => {
  const input = parseOrThrow(ZTemplateCreate, await readJsonBody(request));

  return json(await createTemplate(actor, input, meta), 201);
});
