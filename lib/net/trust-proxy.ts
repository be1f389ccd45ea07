// Which forwarding proxies the operator vouches for (TRUST_PROXY), and so which address in an
// X-Forwarded-For chain is the client's. Pure: lib/env.ts parses the setting with it and
// lib/audit/request-meta.ts resolves addresses with it.
//
// Why it matters: X-Forwarded-For is written by whoever sends the request. Read unconditionally,
// any client names its own audit IP (and its own rate-limit bucket). Only the entries appended by
// proxies we trust can be believed, counted from the right, starting at the connection's peer.
import ipaddr from "ipaddr.js";

export type TTrustProxy =
  | { kind: "none" }
  /** The last `hops` addresses (the peer included) are our own proxies. */
  | { kind: "hops"; hops: number }
  /** Proxies are recognised by address: any peer or hop inside one of these ranges. */
  | { kind: "ranges"; ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] };

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const trimmed = text.trim().replace(/^\[(.*)\]$/, "$1");
  if (!ipaddr.IPv4.isValidFourPartDecimal(trimmed) && !ipaddr.IPv6.isValid(trimmed)) return null;

  // ::ffff:10.0.0.1 is the IPv4 address 10.0.0.1 (how a dual-stack socket reports it).
  return ipaddr.process(trimmed);
}

/** "", "false", "0": none; "1", "2": hop count; "10.0.0.0/8, 192.168.1.5": ranges. Throws on anything else. */
export function parseTrustProxy(value: string | undefined): TTrustProxy {
  const text = (value ?? "").trim();
  if (text === "" || text === "false" || text === "0") return { kind: "none" };
  if (/^\d+$/.test(text)) return { kind: "hops", hops: Number(text) };

  const ranges = text.split(",").map((part): [ipaddr.IPv4 | ipaddr.IPv6, number] => {
    const entry = part.trim();
    if (entry.includes("/")) {
      if (!ipaddr.isValidCIDR(entry)) throw new Error(`"${entry}" is not an IP range (CIDR)`);
      const [address, bits] = ipaddr.parseCIDR(entry);
      return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() ? [(address as ipaddr.IPv6).toIPv4Address(), bits - 96] : [address, bits];
    }
    const address = parseAddress(entry);
    if (!address) throw new Error(`"${entry}" is neither a hop count, an IP address nor a CIDR range`);
    return [address, address.kind() === "ipv4" ? 32 : 128];
  });

  return { kind: "ranges", ranges };
}

function isTrusted(address: ipaddr.IPv4 | ipaddr.IPv6, ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][]) {
  return ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/**
 * The client's address: the connection's peer, unless the peer is a trusted proxy, in which case
 * we step left through `forwardedFor` (its X-Forwarded-For, oldest first) past every trusted hop.
 * An unparsable entry is never returned: the walk stops at the last address that was valid.
 */
export function resolveClientAddress(trust: TTrustProxy, peer: string | null | undefined, forwardedFor: string | null | undefined): string | null {
  const peerAddress = peer ? parseAddress(peer) : null;
  if (!peerAddress) return null;
  if (trust.kind === "none") return peerAddress.toString();

  // Nearest first: the peer, then the hops it says it forwarded for, right to left.
  const chain = (forwardedFor ?? "").split(",").map((entry) => entry.trim()).filter(Boolean).reverse();
  let client = peerAddress;
  for (let index = 0; index < chain.length; index++) {
    const isHopTrusted = trust.kind === "hops" ? index < trust.hops : isTrusted(client, trust.ranges);
    if (!isHopTrusted) break;
    const next = parseAddress(chain[index]!);
    if (!next) break;
    client = next;
  }

  return client.toString();
}
