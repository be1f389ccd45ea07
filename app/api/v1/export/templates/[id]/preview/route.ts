// POST /api/v1/export/templates/{id}/preview – renders with fictional sample data.
// Body (optional): { format?: pdf|docx|html|json, template_content?: unsaved editor content }; or ?format=.
import { route, ZIdParams } from "@/lib/http/route";
import { previewTemplate } from "@/lib/templates/preview-template";
import { ZTemplatePreview } from "@/lib/templates/template-input.types";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({
  auth: "both",
  params: ZIdParams,
  query: ZTemplatePreview.unwrap().pick({ format: true }),
  body: ZTemplatePreview,
  handler: async ({ request, actor, params, query, body, meta }) => {
    const preview = await previewTemplate(actor, params.id, { ...body, format: body.format ?? query.format }, meta, { signal: request.signal });
    const headers: Record<string, string> = { "Content-Type": preview.contentType, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };
    // Rendered template HTML is shown to admins: forbid scripts even if a template smuggles one in.
    if (preview.contentType.startsWith("text/html")) headers["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'";
    if (preview.fileName) headers["Content-Disposition"] = `inline; filename="${preview.fileName}"`;

    return new Response(typeof preview.body === "string" ? preview.body : new Uint8Array(preview.body), { status: 200, headers });
  },
});
