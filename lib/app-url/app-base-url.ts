// The portal's public base URL: what sign-out redirects, job `download_url`s, emailed links and
// webhook notices are built on. Configured (APP_URL, else NEXTAUTH_URL) it is used as given. In
// development without it, the base is the one the browser used (the request's Host), so a portal
// on another port than 3000 still works; production refuses to start without it
// (startupBaseUrlProblem), because a Host header is whatever the client sends.
import { env } from "@/lib/env";

type TBaseUrlEnv = { NODE_ENV: string; APP_URL?: string; NEXTAUTH_URL?: string; PORT?: number };

const trimSlash = (url: string) => url.replace(/\/+$/, "");

/** The configured public base URL, or null. */
export function configuredBaseUrl(values: TBaseUrlEnv = env()): string | null {
  const configured = values.APP_URL ?? values.NEXTAUTH_URL;

  return configured ? trimSlash(configured) : null;
}

/** The origin the browser used for this request (development only: the Host header is the client's word). */
function requestOrigin(request: Request): string | null {
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (!host || !/^[a-z0-9.\-[\]:]+$/i.test(host)) return null;
  const forwardedProto = request.headers.get("x-forwarded-proto");
  const protocol = forwardedProto === "https" || forwardedProto === "http" ? forwardedProto : new URL(request.url).protocol.replace(":", "");

  return `${protocol}://${host}`;
}

/**
 * The base for absolute links. Outside production, with nothing configured: the request's own
 * origin when there is a request, else http://localhost:PORT (a worker or scheduler has no request).
 */
export function appBaseUrl(request?: Request | null, values: TBaseUrlEnv = env()): string {
  const configured = configuredBaseUrl(values);
  if (configured) return configured;
  if (values.NODE_ENV !== "production" && request) {
    const origin = requestOrigin(request);
    if (origin) return origin;
  }

  return `http://localhost:${values.PORT ?? 3000}`;
}

/** An absolute URL for a path of the portal. */
export function appUrl(path: string, request?: Request | null): string {
  return new URL(path, `${appBaseUrl(request)}/`).toString();
}

/** Why the portal must not start as configured, in one line; null when it may. */
export function startupBaseUrlProblem(values: TBaseUrlEnv = env()): string | null {
  if (values.NODE_ENV !== "production" || configuredBaseUrl(values)) return null;

  return "CareExport will not start: set APP_URL (or NEXTAUTH_URL) to the portal's public address, e.g. APP_URL=https://exports.example.org — sign-out, download links, emails and webhooks are built on it.";
}

/** A same-site target as a path ("/login"); anything else goes home. */
export function sameSitePath(url: string, baseUrl: string): string {
  if (url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\")) return url;
  try {
    const target = new URL(url);
    if (target.origin === new URL(baseUrl).origin) return `${target.pathname}${target.search}${target.hash}`;
  } catch {
    // not a URL at all: home
  }

  return "/";
}

/**
 * next-auth's redirect target as an absolute URL on the portal's own base. Its browser client
 * parses the answer with `new URL(url)` after a sign-in without redirect (the login form), so a
 * bare path throws there and the form hangs; the base is the right one (the request's own in
 * development, APP_URL/NEXTAUTH_URL in production), and another site is never a target.
 */
export function sameSiteUrl(url: string, baseUrl: string): string {
  return new URL(sameSitePath(url, baseUrl), baseUrl).toString();
}
