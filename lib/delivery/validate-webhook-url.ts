export type TValidateWebhookUrlResult = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Webhook bodies carry export data and a signature, so they go over TLS. Plain http is
 * allowed only to loopback (127.0.0.0/8, ::1, localhost), for a receiver on the same host
 * and for tests; nothing in transit leaves the machine in that case.
 */
export function validateWebhookUrl(input: string): TValidateWebhookUrlResult {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'Webhook URL is not a valid absolute URL' };
  }

  if (url.username || url.password) {
    // Credentials in URLs end up in logs and audit records; the HMAC secret authenticates instead.
    return { ok: false, reason: 'Webhook URL must not contain a username or password' };
  }
  if (url.protocol === 'https:') {
    return { ok: true, url };
  }
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) {
      return { ok: true, url };
    }

    return { ok: false, reason: `Webhook URL must use https (http is allowed only to loopback, not ${url.hostname})` };
  }

  return { ok: false, reason: `Webhook URL scheme ${url.protocol.replace(/:$/, '')} is not allowed; use https` };
}

// The WHATWG URL parser has already normalised the host: IPv4 shorthands such as "127.1"
// arrive as dotted quads, IPv6 in brackets and compressed, names lower-cased.
function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === 'localhost.') {
    return true;
  }
  if (hostname === '[::1]') {
    return true;
  }

  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
