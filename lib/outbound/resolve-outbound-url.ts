import { OutboundRefusedError } from "@/lib/outbound/outbound-refused-error";
import { type TVettedAddress, vetOutboundHost } from "@/lib/outbound/vet-outbound-host";

export type TResolvedOutboundUrl = { url: URL; target: TVettedAddress };

/** Parses an http(s) URL and vets its host: the URL and the address a request may connect to. */
export async function resolveOutboundUrl(input: string, options: { signal?: AbortSignal } = {}): Promise<TResolvedOutboundUrl> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new OutboundRefusedError("is not a valid absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new OutboundRefusedError(`the scheme ${url.protocol.replace(/:$/, "")} is not allowed; use https`);
  }
  if (url.username || url.password) {
    // Credentials in a URL end up in logs and audit records, and are sent to whoever answers.
    throw new OutboundRefusedError("must not contain a user name or password");
  }

  return { url, target: await vetOutboundHost(url.hostname, options) };
}
