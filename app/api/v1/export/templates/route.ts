// GET /api/v1/export/templates?export_type=&format= – latest, non-archived templates, and the catalog of sections.
// POST /api/v1/export/templates – admins create a template (validated: line and reason on error).
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";
import { sectionCatalogFor } from "@/lib/templates/section-catalog";
import { ZTemplateCreate, ZTemplateListQuery } from "@/lib/templates/template-input.types";
import { createTemplate, listTemplates } from "@/lib/templates/template-service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  query: ZTemplateListQuery,
  handler: async ({ actor, query, meta }) => json({ templates: await listTemplates(actor, query, meta), sections: sectionCatalogFor(query.export_type) }),
});

export const POST = route({ auth: "both", body: ZTemplateCreate, handler: async ({ actor, body, meta }) => json(await createTemplate(actor, body, meta), 201) });
