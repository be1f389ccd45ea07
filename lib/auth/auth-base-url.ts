// next-auth v4 reads its base URL from process.env itself (NEXTAUTH_URL, else AUTH_TRUST_HOST and
// the Host header, else http://localhost:3000). Left alone, sign-out on any other port lands on
// localhost:3000. instrumentation.ts applies this once at server start, before any request.
import { configuredBaseUrl, startupBaseUrlProblem } from "@/lib/app-url/app-base-url";
import { env } from "@/lib/env";

export type TAuthBaseUrlSetup = { problem: string } | { problem: null; variables: Record<string, string> };

/**
 * Production: the configured base (APP_URL or NEXTAUTH_URL) becomes next-auth's, or the one-line
 * reason the server must not start is returned. Development with nothing configured: next-auth
 * follows the request's Host, as every other link does (lib/app-url).
 */
export function authBaseUrlSetup(values = env()): TAuthBaseUrlSetup {
  const problem = startupBaseUrlProblem(values);
  if (problem) return { problem };
  const configured = configuredBaseUrl(values);
  if (configured) return { problem: null, variables: values.NEXTAUTH_URL ? {} : { NEXTAUTH_URL: configured } };

  return { problem: null, variables: values.NODE_ENV === "production" ? {} : { AUTH_TRUST_HOST: "true" } };
}
