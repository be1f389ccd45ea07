import { renderDocument } from "@/lib/render/render-document";
import type { TTaskInput, TTaskOutput } from "@/lib/compute/task-catalog";

export async function renderDocumentTask(input: TTaskInput<"render.document">): Promise<TTaskOutput<"render.document">> {
  const body = await renderDocument(input.html, input.format, { title: input.title });

  // A view of the buffer's own bytes: Buffer.from pools small buffers, and the pool clones only the view.
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}
