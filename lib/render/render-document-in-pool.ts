// The renderer pipeline on the compute pool: what the preview route and report jobs call, so
// neither Liquid nor layout of a long document holds the web process's thread. Same input, same
// bytes as renderTemplateHtml + renderDocument on this thread.
import type { TRunOptions } from "@/lib/compute/compute-pool";
import { runComputeTask } from "@/lib/compute/run-compute-task";
import type { TDocumentFormat } from "@/lib/render/render-document";
import type { TReportExportType } from "@/lib/reports/report-context.types";

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Rendered HTML -> PDF or DOCX. */
export async function renderDocumentInPool(html: string, format: TDocumentFormat, meta: { title: string }, options: TRunOptions = {}): Promise<Buffer> {
  return asBuffer(await runComputeTask("render.document", { html, format, title: meta.title }, options));
}

/** A Liquid template with its context -> PDF or DOCX. The context must be plain data (it is copied to the worker). */
export async function renderTemplateDocumentInPool(
  content: string,
  context: object,
  format: TDocumentFormat,
  meta: { title: string; validateAs?: TReportExportType },
  options: TRunOptions = {},
): Promise<Buffer> {
  const input = { content, context: context as Record<string, unknown>, format, title: meta.title, validateAs: meta.validateAs };

  return asBuffer(await runComputeTask("render.template", input, options));
}
