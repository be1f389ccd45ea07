import { describe, expect, it } from "vitest";

import { parseTrustProxy, resolveClientAddress } from "@/lib/net/trust-proxy";

describe("TRUST_PROXY", () => {
  it("parses off, a hop count and an address/range list, and refuses anything else", () => {
    expect(parseTrustProxy(undefined)).toEqual({ kind: "none" });
    expect(parseTrustProxy("false")).toEqual({ kind: "none" });
    expect(parseTrustProxy("2")).toEqual({ kind: "hops", hops: 2 });
    expect(parseTrustProxy("10.0.0.0/8, 192.168.1.5, ::1").kind).toBe("ranges");
    expect(() => parseTrustProxy("yes")).toThrow(/neither a hop count/);
    expect(() => parseTrustProxy("10.0.0.0/99")).toThrow(/not an IP range/);
  });

  it("off: the connection's peer is the client, whatever X-Forwarded-For claims", () => {
    expect(resolveClientAddress(parseTrustProxy(""), "203.0.113.9", "1.2.3.4")).toBe("203.0.113.9");
    expect(resolveClientAddress(parseTrustProxy(""), "::ffff:127.0.0.1", null)).toBe("127.0.0.1");
    expect(resolveClientAddress(parseTrustProxy(""), null, "1.2.3.4")).toBeNull();
  });

  it("hops: believes exactly that many proxies, counted from the peer, so a forged leftmost entry is ignored", () => {
    // The client forged "6.6.6.6"; our one proxy appended the real client 198.51.100.7.
    expect(resolveClientAddress(parseTrustProxy("1"), "10.0.0.2", "6.6.6.6, 198.51.100.7")).toBe("198.51.100.7");
    expect(resolveClientAddress(parseTrustProxy("2"), "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.3")).toBe("198.51.100.7");
    expect(resolveClientAddress(parseTrustProxy("3"), "10.0.0.2", "198.51.100.7")).toBe("198.51.100.7");
    expect(resolveClientAddress(parseTrustProxy("1"), "10.0.0.2", "not-an-ip")).toBe("10.0.0.2");
  });

  it("ranges: steps left only while the hop is one of ours", () => {
    const trust = parseTrustProxy("10.0.0.0/8");
    expect(resolveClientAddress(trust, "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.1.1.1")).toBe("198.51.100.7");
    // A peer that is not our proxy is the client, and its X-Forwarded-For is its own invention.
    expect(resolveClientAddress(trust, "203.0.113.9", "1.2.3.4")).toBe("203.0.113.9");
    expect(resolveClientAddress(parseTrustProxy("::1, 127.0.0.1"), "::ffff:127.0.0.1", "2001:db8::5")).toBe("2001:db8::5");
  });
});
