// Calls route handlers directly with real Request objects, authenticated by a real API token.
import { createApiToken } from "@/lib/auth/tokens";

export async function tokenFor(userId: string, days = 1) {
  return (await createApiToken({ userId, name: "test", days, createdById: null })).token;
}

type THandler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

export async function call<P = Record<string, never>>(
  handler: THandler<P>,
  options: { method?: string; path?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; params?: P } = {},
) {
  const headers: Record<string, string> = { "user-agent": "vitest", ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const request = new Request(`http://127.0.0.1:3999${options.path ?? "/"}`, { method: options.method ?? (body ? "POST" : "GET"), headers, body });
  const response = await handler(request, { params: Promise.resolve((options.params ?? {}) as P) });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}

  return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> & { [k: string]: unknown } };
}

// Session cookies live with the other sign-in helpers.
export { sessionCookieFor } from "./session";
