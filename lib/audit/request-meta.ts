// Where a request came from, as the audit records it. The address is decided by TRUST_PROXY
// (lib/net/trust-proxy.ts); the request id is always the server's own.
import { randomUUID } from "node:crypto";

import { env } from "@/lib/env";
import { resolveClientAddress } from "@/lib/net/trust-proxy";

/** Where a request came from. Jobs carry it in their payload so their records name the requester. */
export type TRequestMeta = {
  ipAddress?: string | null;
  userAgent?: string | null;
  /** Made by the server for this request; never taken from the client. */
  requestId?: string | null;
  /** The client's own X-Request-Id, if it sent a plausible one: recorded beside ours for correlation. */
  clientRequestId?: string | null;
  /** "web", "api", "cli", "scheduler", "worker" */
  via?: string;
};

/**
 * The X-Forwarded-For chain exactly as the client (or the proxies in front) sent it. proxy.ts moves
 * it here and removes X-Forwarded-For, so that Next fills X-Forwarded-For with the connection's
 * own peer address; a client cannot set this header itself (proxy.ts overwrites it).
 */
export const FORWARDED_CHAIN_HEADER = "x-careexport-forwarded-for";

/** The request id proxy.ts made for this request (it overwrites any such header from the client). */
export const REQUEST_ID_HEADER = "x-careexport-request-id";

type THeaderReader = (name: string) => string | null | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * This request's id: proxy.ts's (a UUID it set, overwriting any a client sent), else a new one.
 * Anything else under that header can only come from a client that reached a handler without the
 * proxy (a matcher gap): it is not believed.
 */
export function serverRequestId(header: THeaderReader): string {
  const fromProxy = header(REQUEST_ID_HEADER);

  return fromProxy && UUID.test(fromProxy) ? fromProxy : randomUUID();
}

/** Letters, digits and . _ : - only, at most 64: anything else is dropped, not cleaned up. */
export function sanitizeClientRequestId(value: string | null | undefined): string | null {
  return value && /^[A-Za-z0-9._:-]{1,64}$/.test(value) ? value : null;
}

/** The client address by TRUST_PROXY: the peer (X-Forwarded-For as Next sets it), or a trusted hop's word. */
export function clientAddressOf(header: THeaderReader): string | null {
  // After proxy.ts, X-Forwarded-For is the socket's peer, set by Next; the last entry is the nearest.
  const peer = header("x-forwarded-for")?.split(",").at(-1)?.trim();

  return resolveClientAddress(env().TRUST_PROXY, peer, header(FORWARDED_CHAIN_HEADER));
}

/** Pages and next-auth pass a header reader; route handlers go through requestMetaFrom. */
export function requestMetaFromHeaders(header: THeaderReader, options: { requestId?: string | null; via: string }): TRequestMeta {
  return {
    ipAddress: clientAddressOf(header),
    userAgent: header("user-agent")?.slice(0, 500) ?? null,
    requestId: options.requestId ?? serverRequestId(header),
    clientRequestId: sanitizeClientRequestId(header("x-request-id")),
    via: options.via,
  };
}

export function requestMetaFrom(request: Request, requestId: string, via = "api"): TRequestMeta {
  return requestMetaFromHeaders((name) => request.headers.get(name), { requestId, via });
}

export const CLI_META: TRequestMeta = { ipAddress: null, userAgent: "careexport-cli", via: "cli" };
