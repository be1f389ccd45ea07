// Cross-site request forgery: a browser attaches the session cookie to a request that another
// site's page makes, so a state-changing request authenticated by cookie must show it came from
// our own pages. Browsers send Origin on every non-GET fetch and form post (and Sec-Fetch-Site on
// all of them); neither can be set by a cross-site page. Bearer requests carry their credential
// explicitly and are not affected.
import { env } from "@/lib/env";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isStateChanging(method: string) {
  return !SAFE_METHODS.has(method.toUpperCase());
}

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** The hosts our pages are served from: the request's own Host, and the configured public URLs. */
function ownHosts(request: Request): Set<string> {
  const { APP_URL, NEXTAUTH_URL, TRUST_PROXY } = env();
  const hosts = [request.headers.get("host")?.toLowerCase(), hostOf(request.url), hostOf(APP_URL), hostOf(NEXTAUTH_URL)];
  // Behind a trusted proxy the Host we see may be the proxy's upstream name; it names the public one.
  if (TRUST_PROXY.kind !== "none") hosts.push(request.headers.get("x-forwarded-host")?.split(",")[0]?.trim().toLowerCase());

  return new Set(hosts.filter((host): host is string => Boolean(host)));
}

/** True when the request shows it came from one of our own pages (Origin, else Sec-Fetch-Site). */
export function isSameOriginRequest(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin) {
    const host = origin === "null" ? null : hostOf(origin);

    return host !== null && ownHosts(request).has(host);
  }

  return request.headers.get("sec-fetch-site") === "same-origin";
}
