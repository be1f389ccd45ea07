// POST /api/v1/export/templates/{id}/preview – renders with fictional sample data.
// Body (optional): { format?: pdf|docx|html|json, template_content?: unsaved editor content }.
import { authedRoute, readJsonBody } from "@/lib/http/route";
import { parseOrThrow } from "@/lib/http/validation";
import { previewTemplate } from "@/lib/templates/preview-template";
import { ZTemplatePreview } from "@/lib/templates/template-input.types";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = authedRoute<{ id: string }>(async ({ request, params, actor, meta }) => {
  const body = request.headers.get("content-type") ? await readJsonBody(request) : undefined;
  const input = parseOrThrow(ZTemplatePreview, body ?? { format: new URL(request.url).searchParams.get("format") ?? undefined });
  const preview = await previewTemplate(actor, params.id, input, meta);
  const headers: Record<string, string> = { "Content-Type": preview.contentType, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };
  // Rendered template HTML is shown to admins: forbid scripts even if a template smuggles one in.
  if (preview.contentType.startsWith("text/html")) headers["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'";
  if (preview.fileName) headers["Content-Disposition"] = `inline; filename="${preview.fileName}"`;

  return new Response(typeof preview.body === "string" ? preview.body : new Uint8Array(preview.body), { status: 200, headers });
});
