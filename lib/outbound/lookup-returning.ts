import type { LookupFunction } from "node:net";

import type { TVettedAddress } from "@/lib/outbound/vet-outbound-host";

/**
 * A `lookup` for net/http/tls connections that answers every name with the vetted address, so
 * the socket goes where the check said and the host name still serves TLS (SNI, certificate).
 */
export function lookupReturning(vetted: TVettedAddress): LookupFunction {
  // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily): give one either way.
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  }) as unknown as LookupFunction;
}
