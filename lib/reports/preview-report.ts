// A therapist's preview of a report before it is exported: the real patient's data with the chosen
// template, period and sections, rendered to PDF through the same path as the admin's template
// preview (Liquid -> HTML -> document tree -> PDF). Nothing is stored; the view is audited.
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { DOCUMENT_MIME_TYPES, renderDocument } from "@/lib/render/render-document";
import { buildReportContext } from "@/lib/reports/build-report-context";
import { checkAccess, checkTemplate } from "@/lib/reports/create-report-export";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { parseReportRequest } from "@/lib/reports/report-requests";
import { invalidInput } from "@/lib/errors/app-error";
import { renderTemplateHtml } from "@/lib/templates/liquid";
import { resolveTemplateForExport } from "@/lib/templates/template-service";

const TITLES: Record<TReportExportType, string> = {
  session_notes: "Session note",
  progress_report: "Progress report",
  treatment_summary: "Treatment summary",
  full_record: "Full record",
  insurance_report: "Insurance report",
};

export type TReportPreview = { body: Buffer; contentType: string; fileName: string };

export async function previewReport(actor: TActor, exportType: TReportExportType, body: Record<string, unknown>, meta?: TRequestMeta | null): Promise<TReportPreview> {
  // Whatever format the export will be, the preview is the document as it prints.
  const request = parseReportRequest(exportType, { ...body, format: "pdf" });
  if (request.export_type === "session_notes" && request.batch === "zip") throw invalidInput("batch", "a ZIP of several documents cannot be previewed; preview one session at a time");
  const patientId = await checkAccess(actor, request, meta);
  const templateId = await checkTemplate(request);
  const template = await resolveTemplateForExport(exportType, "pdf", templateId ?? undefined);
  const context = await buildReportContext(request, { userId: actor.id });
  const html = await renderTemplateHtml(template.content, context);
  const pdf = await renderDocument(html, "pdf", { title: `${TITLES[exportType]} (preview)` });
  await recordAudit(null, { action: "patient_viewed", userId: actor.id, patientId, templateId: template.id, metadata: { preview: exportType, templateVersion: template.version }, meta });

  return { body: pdf, contentType: DOCUMENT_MIME_TYPES.pdf, fileName: "report-preview.pdf" };
}
