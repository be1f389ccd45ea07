import type { TTaskInput, TTaskOutput } from "@/lib/compute/task-catalog";
import { renderDocument } from "@/lib/render/render-document";
import { invalidTemplate, renderTemplateHtml, validateTemplateContent } from "@/lib/templates/liquid";

/** Liquid (with its own limits) and layout in one task: neither runs on the web process's thread. */
export async function renderTemplateTask(input: TTaskInput<"render.template">): Promise<TTaskOutput<"render.template">> {
  if (input.validateAs) {
    const validation = await validateTemplateContent(input.content, input.validateAs);
    if (!validation.ok) throw invalidTemplate(validation.issues);
  }
  const html = await renderTemplateHtml(input.content, input.context);
  const body = await renderDocument(html, input.format, { title: input.title });

  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}
