import { AppError } from "@/lib/errors/app-error";
import { assertJsonDepth, assertSafeJsonText } from "@/lib/input/input-guards";

const JSON_CONTENT_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

function tooLarge(maxBytes: number) {
  return new AppError("PAYLOAD_TOO_LARGE", `The body is larger than the ${maxBytes}-byte limit`);
}

async function readBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);

  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }

  return Buffer.concat(chunks);
}

/**
 * Reads a JSON body within a size limit and the input bounds: undefined when there is none (the
 * route's schema decides whether that is allowed), 415 for another content type, 413 when too
 * large, 400 when not UTF-8, not JSON, nested too deep, or holding NUL / unpaired surrogates.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const bytes = await readBytes(request, maxBytes);
  if (bytes.byteLength === 0) return undefined;
  if (!JSON_CONTENT_TYPE.test(request.headers.get("content-type") ?? "")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json");
  }

  let text: string;
  try {
    // fatal: invalid UTF-8 is refused rather than silently turned into U+FFFD.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("INVALID_INPUT", "The request body is not valid UTF-8", { issues: [{ path: "(body)", message: "not valid UTF-8" }] });
  }
  assertJsonDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("INVALID_INPUT", "The request body is not valid JSON", { issues: [{ path: "(body)", message: "not valid JSON" }] });
  }
  assertSafeJsonText(value);

  return value;
}
