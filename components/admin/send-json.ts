/** A JSON call to the admin API from the browser: the session cookie authenticates it. */
export type TApiResult<T> = { ok: true; data: T } | { ok: false; error: string; issues: { path: string; message: string }[] };

export async function sendJson<T>(method: string, url: string, body?: unknown): Promise<TApiResult<T>> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) return { ok: false, error: parsed?.error ?? `HTTP ${response.status}`, issues: parsed?.issues ?? [] };

  return { ok: true, data: parsed as T };
}
