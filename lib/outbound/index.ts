// Every request the server makes to a URL or host someone supplied (webhooks, warehouse
// connections, JWKS URLs) goes through here: public internet addresses only, unless the
// operator allow-listed the host (OUTBOUND_ALLOW_HOSTS); the address checked is the address used.
export { assertOutboundTarget } from "@/lib/outbound/assert-outbound-target";
export { outboundFetch, type TOutboundFetchInit } from "@/lib/outbound/outbound-fetch";
export { OutboundRefusedError } from "@/lib/outbound/outbound-refused-error";
export { type TVettedAddress, vetOutboundHost } from "@/lib/outbound/vet-outbound-host";
export { lookupReturning } from "@/lib/outbound/lookup-returning";
