import type { TTaskInput, TTaskOutput } from "@/lib/compute/task-catalog";
import type { TDocumentTree } from "@/lib/render/document-tree.types";
import { parseHtmlDocument } from "@/lib/render/parse-html-document";
import { renderCombinedPdf } from "@/lib/render/pdf";
import { renderTemplateHtml } from "@/lib/templates/liquid";

/** Each part rendered (Liquid) and parsed only when the PDF writer reaches it. */
async function* treesOf(parts: TTaskInput<"render.combined-pdf">["parts"]): AsyncIterable<TDocumentTree> {
  for (const part of parts) yield parseHtmlDocument("html" in part ? part.html : await renderTemplateHtml(part.content, part.context));
}

export async function renderCombinedPdfTask(input: TTaskInput<"render.combined-pdf">): Promise<TTaskOutput<"render.combined-pdf">> {
  const body = await renderCombinedPdf(treesOf(input.parts), { title: input.title });

  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}
