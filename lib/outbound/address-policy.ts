// Which addresses an outbound request may reach: public internet unicast only. Fail closed:
// anything ipaddr.js does not class as plain unicast is refused, and IPv6 forms that carry an
// IPv4 address (mapped, compatible, NAT64) are judged by the IPv4 address they carry.
import ipaddr from "ipaddr.js";

import type { TIpAddress } from "@/lib/outbound/allow-list-entry";

const RANGE_WORDS: Record<string, string> = {
  unspecified: "an unspecified address",
  broadcast: "the broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address (where cloud metadata services answer)",
  loopback: "a loopback address (this server itself)",
  carrierGradeNat: "a carrier-grade NAT address",
  private: "a private network address",
  reserved: "a reserved or documentation address",
  as112: "a reserved DNS sink address",
  amt: "a multicast tunnelling address",
  uniqueLocal: "a unique local (private IPv6) address",
  deprecatedSiteLocal: "a site-local (private IPv6) address",
  discard: "a discard-only address",
  rfc6145: "an IPv4-translated address",
  rfc6052: "a local-use NAT64 address",
  "6to4": "a 6to4 tunnel address",
  teredo: "a Teredo tunnel address",
  benchmarking: "a benchmarking address",
  as112v6: "a reserved DNS sink address",
  deprecatedOrchid: "an ORCHID address",
  orchid2: "an ORCHID address",
  droneRemoteIdProtocolEntityTags: "a reserved identifier address",
  segmentRouting: "a segment-routing address",
};

// Global unicast IPv6 is 2000::/3; everything outside it is special-purpose.
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");
// The well-known NAT64 prefix: a gateway forwards 64:ff9b::a.b.c.d to the IPv4 address a.b.c.d.
const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96");

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const [high, low] = address.parts.slice(6);

  return new ipaddr.IPv4([high! >> 8, high! & 0xff, low! >> 8, low! & 0xff]);
}

function ipv4Refusal(address: ipaddr.IPv4): string | null {
  const range = address.range();

  return range === "unicast" ? null : (RANGE_WORDS[range] ?? "a special-purpose address");
}

/**
 * Why `address` may not be reached from this server, in words ("a loopback address"), or null
 * for a public internet address.
 */
export function addressRefusal(address: TIpAddress): string | null {
  if (address.kind() === "ipv4") return ipv4Refusal(address as ipaddr.IPv4);

  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) {
    const reason = ipv4Refusal(v6.toIPv4Address());
    return reason && `${reason}, in IPv4-mapped form`;
  }
  if (v6.parts.slice(0, 6).every((part) => part === 0)) {
    const range = v6.range();
    if (range === "unspecified" || range === "loopback") return RANGE_WORDS[range]!;
    // ::a.b.c.d, the deprecated IPv4-compatible form: refused whatever it carries.
    return `a deprecated IPv4-compatible address (${embeddedIPv4(v6).toString()})`;
  }
  if (v6.match(NAT64_WELL_KNOWN)) {
    const reason = ipv4Refusal(embeddedIPv4(v6));
    return reason && `${reason}, behind a NAT64 prefix`;
  }
  const range = v6.range();
  if (range === "unicast" && v6.match(IPV6_GLOBAL_UNICAST)) return null;

  return RANGE_WORDS[range] ?? "not a global unicast address";
}
