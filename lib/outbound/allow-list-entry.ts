// One entry of OUTBOUND_ALLOW_HOSTS, parsed. Pure (no env): lib/env.ts validates the setting
// with it, lib/outbound/allow-list.ts matches against the parsed entries.
import ipaddr from "ipaddr.js";

export type TIpAddress = ipaddr.IPv4 | ipaddr.IPv6;

export type TAllowListEntry =
  /** A network ("10.20.0.0/16") or one address ("127.0.0.1", stored as /32 or /128). */
  | { kind: "network"; range: [TIpAddress, number] }
  /** A host name the operator trusts whatever it resolves to ("hooks.clinic.internal"). */
  | { kind: "host"; name: string };

// RFC 1123 labels; no wildcards: an operator names each trusted host.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Lower-cased, without brackets or a trailing dot: how host names are compared everywhere here. */
export function normalizeHostName(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

/**
 * An address written the standard way: IPv4 as four decimal parts, or IPv6. Shorthands such as
 * "127.1" or "2130706433" are not taken as addresses here (they are resolved as names, which
 * gives the same address the system would connect to, and that address is checked).
 */
export function parseStandardAddress(text: string): TIpAddress | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);

  return null;
}

/** An entry, or null when it is neither a CIDR, an address nor a host name. */
export function parseAllowListEntry(text: string): TAllowListEntry | null {
  const entry = normalizeHostName(text);
  if (entry.includes("/")) {
    if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) && !ipaddr.IPv6.isValidCIDR(entry)) return null;

    return { kind: "network", range: ipaddr.parseCIDR(entry) };
  }
  const address = parseStandardAddress(entry);
  if (address) return { kind: "network", range: [address, address.kind() === "ipv4" ? 32 : 128] };

  return HOST_NAME.test(entry) ? { kind: "host", name: entry } : null;
}
