// Resolves a host once and checks every address it resolves to; the caller then connects to
// the returned address and nothing else, so a second DNS answer (rebinding) never gets a say.
import dns from "node:dns";

import ipaddr from "ipaddr.js";

import { addressRefusal } from "@/lib/outbound/address-policy";
import { normalizeHostName, parseStandardAddress } from "@/lib/outbound/allow-list-entry";
import { isAllowListedAddress, isAllowListedHost } from "@/lib/outbound/allow-list";
import { OutboundRefusedError } from "@/lib/outbound/outbound-refused-error";

export type TVettedAddress = {
  /** The address to connect to: the one that was checked. */
  address: string;
  family: 4 | 6;
  /** Let through by OUTBOUND_ALLOW_HOSTS rather than by being public. */
  isAllowListed: boolean;
};

const LOOKUP_TIMEOUT_MS = 5_000;
const ALLOW_HINT = "an operator can allow an on-premises host with OUTBOUND_ALLOW_HOSTS";

async function lookupAll(name: string, signal?: AbortSignal): Promise<dns.LookupAddress[]> {
  // getaddrinfo, like a connection would use (hosts file included); bounded, since it can hang.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("DNS lookup timed out"), { code: "ETIMEOUT" })), LOOKUP_TIMEOUT_MS);
  });
  const aborted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  try {
    return await Promise.race([dns.promises.lookup(name, { all: true, verbatim: true }), timeout, aborted]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The address to connect to for `host` (a name or an address literal), or OutboundRefusedError.
 * An address literal must be public or inside an allow-listed network. A name must resolve, and
 * every address it resolves to must pass the same test (one private record among public ones is
 * enough to refuse: the connection could land on any of them), unless the name itself is
 * allow-listed.
 */
export async function vetOutboundHost(host: string, options: { signal?: AbortSignal } = {}): Promise<TVettedAddress> {
  const name = normalizeHostName(host);
  if (!name) throw new OutboundRefusedError("the URL names no host");

  const literal = parseStandardAddress(name);
  if (literal) {
    const processed = ipaddr.process(name);
    const isAllowListed = isAllowListedAddress(processed);
    const refusal = isAllowListed ? null : addressRefusal(literal);
    if (refusal) throw new OutboundRefusedError(`${name} is ${refusal}; only public internet addresses are allowed`, `${name} is ${refusal} (${ALLOW_HINT})`);

    return { address: literal.toString(), family: literal.kind() === "ipv4" ? 4 : 6, isAllowListed };
  }

  // One answer for "does not resolve" and "resolves somewhere private": anything finer would let
  // whoever supplies URLs probe which internal names exist.
  const refused = (detail: string) => new OutboundRefusedError(`${name} does not resolve to a public internet address`, detail);
  let addresses: dns.LookupAddress[];
  try {
    addresses = await lookupAll(name, options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw refused(`${name} could not be resolved (${(error as { code?: string }).code ?? "lookup failed"})`);
  }
  if (addresses.length === 0) throw refused(`${name} resolved to no address`);

  const isNameAllowListed = isAllowListedHost(name);
  let isAllowListed = isNameAllowListed;
  for (const { address } of addresses) {
    if (isNameAllowListed) break;
    const parsed = ipaddr.parse(address);
    if (isAllowListedAddress(ipaddr.process(address))) {
      isAllowListed = true;
      continue;
    }
    const refusal = addressRefusal(parsed);
    if (refusal) throw refused(`${name} resolves to ${address}, ${refusal} (${ALLOW_HINT})`);
  }
  const chosen = addresses[0]!;

  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4, isAllowListed };
}
