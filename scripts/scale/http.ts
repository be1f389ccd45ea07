// One HTTP request on its own connection (no keep-alive), with what the load generator needs to
// tell "never accepted" from "accepted, then failed": whether a response byte ever arrived.
// A fresh connection per request makes that line sharp: a connection the stopping server no
// longer accepts is refused (or reset before any answer), never a request cut off half-way.
import { createHash } from "node:crypto";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";

export type THttpResult = {
  status: number | null;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The network error's code (ECONNREFUSED, ECONNRESET, ...), when there was one. */
  error: string | null;
  /** Whether the response's status line arrived before any error. */
  didRespond: boolean;
  startedAt: number;
  endedAt: number;
};

export type THttpRequest = { method?: string; path: string; token?: string; body?: unknown; timeoutMs?: number };

export function send(baseUrl: string, { method = "GET", path, token, body, timeoutMs = 120_000 }: THttpRequest): Promise<THttpResult> {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { connection: "close", accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(payload.length);
  }
  const startedAt = Date.now();

  return new Promise((resolve) => {
    let didRespond = false;
    let settled = false;
    const finish = (result: Omit<THttpResult, "startedAt" | "endedAt" | "didRespond">) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, didRespond, startedAt, endedAt: Date.now() });
    };
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers, agent: false, timeout: timeoutMs }, (response) => {
      didRespond = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => finish({ status: response.statusCode ?? null, headers: response.headers, body: Buffer.concat(chunks), error: null }));
      // A body cut off after the status line: the request was accepted and then failed.
      response.on("error", (error: NodeJS.ErrnoException) => finish({ status: response.statusCode ?? null, headers: response.headers, body: Buffer.concat(chunks), error: error.code ?? "ABORTED" }));
      response.on("aborted", () => finish({ status: response.statusCode ?? null, headers: response.headers, body: Buffer.concat(chunks), error: "ABORTED" }));
    });
    outgoing.on("timeout", () => outgoing.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    outgoing.on("error", (error: NodeJS.ErrnoException) => finish({ status: null, headers: {}, body: Buffer.alloc(0), error: error.code ?? error.message }));
    outgoing.end(payload ?? undefined);
  });
}

export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

export function jsonOf<T = Record<string, unknown>>(result: THttpResult): T {
  return JSON.parse(result.body.toString("utf8")) as T;
}

export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return 0;

  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
