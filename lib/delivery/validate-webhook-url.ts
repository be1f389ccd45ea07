import { invalidInput } from "@/lib/errors/app-error";
import { assertOutboundTarget } from "@/lib/outbound";
import { isAllowListedHost } from "@/lib/outbound/allow-list";

/**
 * Why a webhook URL is unacceptable as written (before any DNS), or null. The notice and its
 * signature go over TLS: plain http only to a host the operator allow-listed (an on-premises
 * receiver, the tests' loopback server), by name or by address.
 */
export function webhookUrlProblem(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return "is not a valid absolute URL";
  }
  if (url.username || url.password) {
    // Credentials in URLs end up in logs and audit records; the HMAC secret authenticates instead.
    return "must not contain a user name or password";
  }
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") {
    return isAllowListedHost(url.hostname) ? null : `must use https (plain http only to a host in OUTBOUND_ALLOW_HOSTS, not ${url.hostname})`;
  }

  return `the scheme ${url.protocol.replace(/:$/, "")} is not allowed; use https`;
}

/**
 * Create/update-time check of a schedule's webhook URL: its shape, then its host (public
 * internet addresses only, lib/outbound). Throws a 400 naming `field`; returns the URL as stored.
 */
export async function validateWebhookUrl(input: string, field = "delivery_target"): Promise<string> {
  const problem = webhookUrlProblem(input);
  if (problem) throw invalidInput(field, problem);
  await assertOutboundTarget(input, field);

  return new URL(input).toString();
}
