// Renders a stored template (or the editor's unsaved content for it) with the fictional sample,
// so a preview never touches patient data.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { notFound } from "@/lib/errors/app-error";
import { DOCUMENT_MIME_TYPES, renderDocument } from "@/lib/render/render-document";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { invalidTemplate, renderTemplateHtml, validateTemplateContent } from "@/lib/templates/liquid";
import { sampleReportContext } from "@/lib/templates/sample-context";

export type TPreviewFormat = "pdf" | "docx" | "html" | "json";
export type TPreviewResult = { body: Buffer | string; contentType: string; fileName: string | null };

export async function previewTemplate(actor: TActor, id: string, input: { format?: TPreviewFormat; template_content?: string }, meta?: TRequestMeta | null): Promise<TPreviewResult> {
  // Previewing unsaved content is part of editing; previewing a stored template is using it.
  await authorize(actor, { action: input.template_content === undefined ? "template.use" : "template.manage" }, { meta });
  const template = await prisma.exportTemplate.findUnique({ where: { id }, select: { name: true, exportType: true, format: true, templateContent: true } });
  if (!template) throw notFound("Template");

  const exportType = template.exportType as TReportExportType;
  const content = input.template_content ?? template.templateContent;
  const validation = await validateTemplateContent(content, exportType);
  if (!validation.ok) throw invalidTemplate(validation.issues);

  const context = sampleReportContext(exportType);
  const html = await renderTemplateHtml(content, context);
  const format = input.format ?? (template.format === "pdf" || template.format === "docx" ? template.format : "html");
  if (format === "html") return { body: html, contentType: "text/html; charset=utf-8", fileName: null };
  if (format === "json") return { body: JSON.stringify({ html, sample_context: context }), contentType: "application/json", fileName: null };

  const body = await renderDocument(html, format, { title: `${template.name} (preview)` });

  return { body, contentType: DOCUMENT_MIME_TYPES[format], fileName: `template-preview.${format}` };
}
