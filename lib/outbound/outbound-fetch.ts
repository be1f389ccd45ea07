// fetch() for URLs that users supply (webhooks, JWKS): the host is resolved and vetted again at
// send time, the connection goes to the vetted address and nowhere else (a custom `lookup`
// that answers with it: no second DNS answer, no rebinding), no redirect is followed, and the
// whole exchange is bounded in time and size. Built on node:http(s) rather than the global
// fetch, whose undici dispatcher cannot be given a lookup without adding undici itself.
import http from "node:http";
import https from "node:https";

import { lookupReturning } from "@/lib/outbound/lookup-returning";
import { resolveOutboundUrl } from "@/lib/outbound/resolve-outbound-url";

export type TOutboundFetchInit = RequestInit & {
  /** Limit for the whole exchange: lookup, connect, headers and body. Default 10 s. */
  timeoutMs?: number;
  /** Largest response body read; a longer one fails the body stream. Default 1 MiB. */
  maxBytes?: number;
};

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1_048_576;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function timeoutError(timeoutMs: number) {
  const error = new Error(`timed out after ${timeoutMs} ms`);
  error.name = "TimeoutError";

  return error;
}

function bodyBytes(body: RequestInit["body"]): Buffer | null {
  if (body === null || body === undefined) return null;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof URLSearchParams) return Buffer.from(body.toString(), "utf8");
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("outboundFetch sends a string, bytes or URLSearchParams body");
}

// Pulled chunk by chunk from the socket (no read-ahead past what the caller asked for), and
// cut off past maxBytes. Readable.toWeb is not used: on Node 20 it throws after a cancel.
function limitedBody(source: http.IncomingMessage, maxBytes: number): ReadableStream<Uint8Array> {
  const tooLarge = () => new Error(`the response is larger than ${maxBytes} bytes`);
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let seen = 0;

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (Number(source.headers["content-length"]) > maxBytes) {
          source.destroy();
          controller.error(tooLarge());
          return;
        }
        try {
          const next = await chunks.next();
          if (next.done) {
            controller.close();
            return;
          }
          seen += next.value.length;
          if (seen > maxBytes) {
            source.destroy();
            controller.error(tooLarge());
            return;
          }
          controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
        } catch (error) {
          controller.error(error);
        }
      },
      cancel() {
        source.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Like fetch(url, init), for user-supplied URLs. Throws OutboundRefusedError before sending
 * anything when the URL or its addresses are not allowed; a 3xx comes back as it is.
 */
export async function outboundFetch(url: string, init: TOutboundFetchInit = {}): Promise<Response> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, maxBytes = DEFAULT_MAX_BYTES, signal: callerSignal, method = "GET" } = init;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(timeoutError(timeoutMs)), timeoutMs);
  const onCallerAbort = () => deadline.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  const release = () => {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onCallerAbort);
  };

  try {
    const { url: target, target: vetted } = await resolveOutboundUrl(url, { signal: deadline.signal });
    const bytes = bodyBytes(init.body);
    const headers = Object.fromEntries(new Headers(init.headers));
    if (bytes && !headers["content-length"]) headers["content-length"] = String(bytes.length);
    if (init.body instanceof URLSearchParams && !headers["content-type"]) headers["content-type"] = "application/x-www-form-urlencoded;charset=UTF-8";

    return await new Promise<Response>((resolve, reject) => {
      const transport = target.protocol === "https:" ? https : http;
      // agent: false, a connection of its own: a pooled socket could have been opened by code
      // that never vetted its address.
      const request = transport.request(target, { method: method.toUpperCase(), headers, agent: false, lookup: lookupReturning(vetted), signal: deadline.signal });
      request.once("error", (error) => {
        release();
        reject(deadline.signal.aborted ? deadline.signal.reason : error);
      });
      request.once("response", (incoming) => {
        incoming.once("close", release);
        try {
          const responseHeaders = new Headers();
          for (let index = 0; index + 1 < incoming.rawHeaders.length; index += 2) responseHeaders.append(incoming.rawHeaders[index]!, incoming.rawHeaders[index + 1]!);
          const status = incoming.statusCode ?? 0;
          const hasBody = method.toUpperCase() !== "HEAD" && !NULL_BODY_STATUSES.has(status);
          if (!hasBody) incoming.resume();
          const body = hasBody ? limitedBody(incoming, maxBytes) : null;
          resolve(new Response(body, { status, statusText: incoming.statusMessage ?? "", headers: responseHeaders }));
        } catch (error) {
          incoming.destroy();
          reject(error);
        }
      });
      request.end(bytes ?? undefined);
    });
  } catch (error) {
    release();
    throw deadline.signal.aborted && !(error instanceof Error && error.name === "OutboundRefusedError") ? deadline.signal.reason : error;
  }
}
