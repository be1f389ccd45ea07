import { invalidInput } from "@/lib/errors/app-error";
import { OutboundRefusedError } from "@/lib/outbound/outbound-refused-error";
import { resolveOutboundUrl } from "@/lib/outbound/resolve-outbound-url";

/**
 * Create/update-time check of a URL the server will later send requests to (a webhook, a JWKS
 * URL): an http(s) URL without credentials whose host resolves to public internet addresses
 * only (or is allow-listed by the operator). Throws a 400 whose issue names `field`, with the
 * reason in words. The check is repeated at send time by `outboundFetch`: DNS can change.
 */
export async function assertOutboundTarget(url: string, field: string): Promise<void> {
  try {
    await resolveOutboundUrl(url);
  } catch (error) {
    if (error instanceof OutboundRefusedError) throw invalidInput(field, error.message);
    throw error;
  }
}
