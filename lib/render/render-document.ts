// The one entry point from rendered template HTML to a file: HTML -> document tree -> writer.
import { renderDocx } from "@/lib/render/docx";
import { parseHtmlDocument } from "@/lib/render/parse-html-document";
import { renderPdf } from "@/lib/render/pdf";

export type TDocumentFormat = "pdf" | "docx";

export const DOCUMENT_MIME_TYPES: Record<TDocumentFormat, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
};

export async function renderDocument(html: string, format: TDocumentFormat, meta: { title: string }): Promise<Buffer> {
  const tree = parseHtmlDocument(html);

  return format === "pdf" ? renderPdf(tree, meta) : renderDocx(tree, meta);
}
