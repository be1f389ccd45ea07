// The operator's exceptions to the public-only rule (OUTBOUND_ALLOW_HOSTS): on-premises
// receivers and warehouses, and the test suites' loopback servers.
import { env } from "@/lib/env";
import { normalizeHostName, parseStandardAddress, type TIpAddress } from "@/lib/outbound/allow-list-entry";

/** The host name is listed by name, or is an address inside a listed network. */
export function isAllowListedHost(host: string): boolean {
  const name = normalizeHostName(host);
  const address = parseStandardAddress(name);
  if (address) return isAllowListedAddress(address);

  return env().OUTBOUND_ALLOW_HOSTS.some((entry) => entry.kind === "host" && entry.name === name);
}

export function isAllowListedAddress(address: TIpAddress): boolean {
  return env().OUTBOUND_ALLOW_HOSTS.some((entry) => entry.kind === "network" && entry.range[0].kind() === address.kind() && address.match(entry.range));
}
