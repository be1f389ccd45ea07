// Renders a stored template (or the editor's unsaved content for it) with the fictional sample,
// so a preview never touches patient data. PDF and DOCX previews are checked, rendered and laid
// out in the compute pool, within the preview's time limit: Liquid's limits do not cover layout.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { ComputeLimitError } from "@/lib/compute/compute-pool";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError, notFound } from "@/lib/errors/app-error";
import { DOCUMENT_MIME_TYPES } from "@/lib/render/render-document";
import { renderTemplateDocumentInPool } from "@/lib/render/render-document-in-pool";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { invalidTemplate, renderTemplateHtml, validateTemplateContent } from "@/lib/templates/liquid";
import { sampleReportContext } from "@/lib/templates/sample-context";

export type TPreviewFormat = "pdf" | "docx" | "html" | "json";
export type TPreviewResult = { body: Buffer | string; contentType: string; fileName: string | null };

export type TPreviewOptions = {
  /** The request's signal: a preview nobody waits for any more stops laying out. */
  signal?: AbortSignal;
};

export async function previewTemplate(
  actor: TActor,
  id: string,
  input: { format?: TPreviewFormat; template_content?: string },
  meta?: TRequestMeta | null,
  options: TPreviewOptions = {},
): Promise<TPreviewResult> {
  // Previewing unsaved content is part of editing; previewing a stored template is using it.
  await authorize(actor, { action: input.template_content === undefined ? "template.use" : "template.manage" }, { meta });
  const template = await prisma.exportTemplate.findUnique({ where: { id }, select: { name: true, exportType: true, format: true, templateContent: true } });
  if (!template) throw notFound("Template");

  const exportType = template.exportType as TReportExportType;
  const content = input.template_content ?? template.templateContent;
  const context = sampleReportContext(exportType);
  const format = input.format ?? (template.format === "pdf" || template.format === "docx" ? template.format : "html");

  if (format === "pdf" || format === "docx") {
    const title = `${template.name} (preview)`;
    const body = await renderTemplateDocumentInPool(content, context, format, { title, validateAs: exportType }, { timeoutMs: env().PREVIEW_RENDER_SECONDS * 1000, signal: options.signal }).catch((error: unknown) => {
      if (error instanceof ComputeLimitError) {
        throw new AppError("PAYLOAD_TOO_LARGE", error.message, { issues: [{ path: input.template_content === undefined ? "template" : "template_content", message: error.message }] });
      }
      throw error;
    });

    return { body, contentType: DOCUMENT_MIME_TYPES[format], fileName: `template-preview.${format}` };
  }

  const validation = await validateTemplateContent(content, exportType);
  if (!validation.ok) throw invalidTemplate(validation.issues);
  const html = await renderTemplateHtml(content, context);
  if (format === "html") return { body: html, contentType: "text/html; charset=utf-8", fileName: null };

  return { body: JSON.stringify({ html, sample_context: context }), contentType: "application/json", fileName: null };
}
