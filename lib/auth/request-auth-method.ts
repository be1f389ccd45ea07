import type { TAuthMethod } from "@/lib/auth/policy";

/**
 * How an authenticated API request was signed in. The route wrapper (lib/http/route.ts)
 * authenticates by the Authorization header whenever one is sent, and by the session cookie
 * only when there is none; so a request that got this far with the header came with a token.
 */
export function requestAuthMethod(request: Request): TAuthMethod {
  return request.headers.has("authorization") ? "token" : "session";
}
