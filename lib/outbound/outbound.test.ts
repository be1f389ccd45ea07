// The outbound guard against real sockets: receivers on 127.0.0.1, refused unless allow-listed.
// DNS answers for made-up names are stubbed where a test needs a name to resolve somewhere.
import dns from "node:dns";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import ipaddr from "ipaddr.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { AppError } from "@/lib/errors/app-error";
import { addressRefusal } from "@/lib/outbound/address-policy";
import { parseAllowListEntry } from "@/lib/outbound/allow-list-entry";
import { assertOutboundTarget, OutboundRefusedError, outboundFetch, vetOutboundHost } from "@/lib/outbound";
import { setOutboundAllowList } from "@/tests/setup/outbound";

type TSeen = { method?: string; url?: string; host?: string; body: string };

const servers: Server[] = [];

async function startReceiver(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: TSeen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, host: req.headers.host, body: Buffer.concat(chunks).toString() });
      handler(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return { port: (server.address() as AddressInfo).port, seen };
}

/** Answers getaddrinfo for made-up names, the way a DNS server an attacker controls would. */
function stubDns(answers: Record<string, string[]>) {
  const real = dns.promises.lookup.bind(dns.promises);

  return vi.spyOn(dns.promises, "lookup").mockImplementation((async (name: string, options: dns.LookupAllOptions) => {
    const addresses = answers[name];
    if (!addresses) return real(name, options);

    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  }) as typeof dns.promises.lookup);
}

beforeEach(() => setOutboundAllowList(undefined));

afterEach(async () => {
  vi.restoreAllMocks();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe("addressRefusal", () => {
  it("refuses loopback, private, link-local, CGNAT, ULA, multicast, unspecified and their IPv4-in-IPv6 forms", () => {
    const refused: [string, RegExp][] = [
      ["127.0.0.1", /loopback/],
      ["127.255.0.9", /loopback/],
      ["10.1.2.3", /private/],
      ["172.16.0.1", /private/],
      ["192.168.1.10", /private/],
      ["169.254.169.254", /link-local/],
      ["100.64.0.1", /carrier-grade NAT/],
      ["0.0.0.0", /unspecified/],
      ["224.0.0.251", /multicast/],
      ["255.255.255.255", /broadcast/],
      ["192.0.2.1", /reserved or documentation/],
      ["240.0.0.1", /reserved/],
      ["::1", /loopback/],
      ["::", /unspecified/],
      ["fe80::1", /link-local/],
      ["fc00::1", /unique local/],
      ["fd12:3456::1", /unique local/],
      ["ff02::1", /multicast/],
      ["fec0::1", /site-local/],
      ["::ffff:127.0.0.1", /loopback address.*IPv4-mapped/],
      ["::ffff:169.254.169.254", /link-local.*IPv4-mapped/],
      ["::ffff:10.0.0.1", /private.*IPv4-mapped/],
      ["::7f00:1", /IPv4-compatible address \(127\.0\.0\.1\)/],
      ["::808:808", /IPv4-compatible/],
      ["64:ff9b::7f00:1", /loopback.*NAT64/],
      ["64:ff9b::a9fe:a9fe", /link-local.*NAT64/],
      ["2002:7f00:1::1", /6to4/],
      ["2001:db8::1", /reserved/],
      ["100::1", /discard/],
    ];
    for (const [address, reason] of refused) expect(addressRefusal(ipaddr.parse(address)), address).toMatch(reason);
  });

  it("lets public unicast addresses through, also mapped or behind NAT64", () => {
    for (const address of ["8.8.8.8", "93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"]) {
      expect(addressRefusal(ipaddr.parse(address)), address).toBeNull();
    }
  });
});

describe("OUTBOUND_ALLOW_HOSTS entries", () => {
  it("takes CIDRs, single addresses and host names, and nothing else", () => {
    expect(parseAllowListEntry("10.20.0.0/16")).toMatchObject({ kind: "network", range: [expect.anything(), 16] });
    expect(parseAllowListEntry("127.0.0.1")).toMatchObject({ kind: "network", range: [expect.anything(), 32] });
    expect(parseAllowListEntry("fd00::/8")).toMatchObject({ kind: "network", range: [expect.anything(), 8] });
    expect(parseAllowListEntry("Hooks.Clinic.Internal.")).toEqual({ kind: "host", name: "hooks.clinic.internal" });
    for (const bad of ["10.0.0.0/33", "*.clinic.internal", "http://x", "a b", "-bad.example"]) expect(parseAllowListEntry(bad), bad).toBeNull();
  });

  it("an invalid entry stops the configuration with the reason", async () => {
    const { env } = await import("@/lib/env");
    setOutboundAllowList("127.0.0.1, not a host");
    expect(() => env()).toThrow(/OUTBOUND_ALLOW_HOSTS.*"not a host" is neither a CIDR/);
    setOutboundAllowList(undefined);
  });
});

describe("assertOutboundTarget", () => {
  const refusal = (url: string) =>
    assertOutboundTarget(url, "delivery_target").then(
      () => "allowed",
      (error: unknown) => {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe("INVALID_INPUT");
        const [issue] = (error as AppError).issues!;
        expect(issue!.path).toBe("delivery_target");

        return issue!.message;
      },
    );

  it("refuses internal targets at create time, with the reason in words", async () => {
    expect(await refusal("http://127.0.0.1:8080/hook")).toBe("127.0.0.1 is a loopback address (this server itself); only public internet addresses are allowed");
    expect(await refusal("https://[::1]:8443/hook")).toMatch(/^::1 is a loopback address/);
    expect(await refusal("https://169.254.169.254/latest/meta-data/")).toMatch(/link-local/);
    expect(await refusal("https://10.0.0.7/hook")).toMatch(/private network/);
    expect(await refusal("https://100.100.100.200/hook")).toMatch(/carrier-grade NAT/);
    expect(await refusal("https://[fd00::5]/hook")).toMatch(/unique local/);
    expect(await refusal("https://[::ffff:7f00:1]/hook")).toMatch(/loopback.*IPv4-mapped/);
    // The URL parser turns IPv4 shorthands into the address they mean; that address is checked.
    expect(await refusal("http://2130706433/hook")).toMatch(/^127\.0\.0\.1 is a loopback/);
    expect(await refusal("http://0x7f.1/hook")).toMatch(/^127\.0\.0\.1 is a loopback/);
    expect(await refusal("ftp://8.8.8.8/x")).toBe("the scheme ftp is not allowed; use https");
    expect(await refusal("https://user:secret@8.8.8.8/x")).toBe("must not contain a user name or password");
    expect(await refusal("not a url")).toBe("is not a valid absolute URL");
  });

  it("answers the same for a name that resolves privately and one that does not resolve: internal DNS cannot be probed", async () => {
    stubDns({ "intranet.example.test": ["10.1.1.1"] });
    expect(await refusal("https://localhost/hook")).toBe("localhost does not resolve to a public internet address");
    expect(await refusal("https://intranet.example.test/hook")).toBe("intranet.example.test does not resolve to a public internet address");
    expect(await refusal("https://no-such-host.invalid/hook")).toBe("no-such-host.invalid does not resolve to a public internet address");
  });

  it("refuses a name with one private address among public ones", async () => {
    stubDns({ "mixed.example.test": ["93.184.215.14", "127.0.0.1"] });
    expect(await refusal("https://mixed.example.test/hook")).toMatch(/does not resolve to a public/);
  });

  it("allows public targets, and private ones only through the operator's allow-list", async () => {
    stubDns({ "hooks.example.test": ["93.184.215.14"], "hooks.clinic.internal": ["10.20.30.40"] });
    expect(await refusal("https://93.184.215.14/hook")).toBe("allowed");
    expect(await refusal("https://hooks.example.test/hook")).toBe("allowed");
    expect(await refusal("https://hooks.clinic.internal/hook")).toMatch(/does not resolve to a public/);

    setOutboundAllowList("10.20.0.0/16");
    expect(await refusal("https://hooks.clinic.internal/hook")).toBe("allowed");
    expect(await refusal("https://10.20.1.1/hook")).toBe("allowed");
    expect(await refusal("https://10.21.1.1/hook")).toMatch(/private network/);

    setOutboundAllowList("hooks.clinic.internal");
    expect(await refusal("https://hooks.clinic.internal/hook")).toBe("allowed");
  });
});

describe("vetOutboundHost", () => {
  it("says exactly why in its detail, for admins", async () => {
    stubDns({ "db.clinic.internal": ["10.9.8.7"] });
    const error = await vetOutboundHost("db.clinic.internal").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect((error as OutboundRefusedError).detail).toMatch(/^db\.clinic\.internal resolves to 10\.9\.8\.7, a private network address \(an operator can allow .*OUTBOUND_ALLOW_HOSTS\)/);
  });
});

describe("outboundFetch", () => {
  it("refuses 127.0.0.1 without the allow-list, before anything is sent", async () => {
    const receiver = await startReceiver((_req, res) => res.end("ok"));

    await expect(outboundFetch(`http://127.0.0.1:${receiver.port}/in`, { method: "POST", body: "x" })).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(receiver.seen).toHaveLength(0);
  });

  it("reaches an allow-listed receiver: method, headers, body and response as fetch would", async () => {
    setOutboundAllowList("127.0.0.1");
    const receiver = await startReceiver((req, res) => {
      res.setHeader("X-Echo", String(req.headers["x-test"]));
      res.statusCode = 201;
      res.end(`got ${req.headers["content-length"]} bytes`);
    });

    const response = await outboundFetch(`http://127.0.0.1:${receiver.port}/in?x=1`, { method: "POST", headers: { "X-Test": "yes", "Content-Type": "text/plain" }, body: "hello" });

    expect(response.status).toBe(201);
    expect(response.headers.get("x-echo")).toBe("yes");
    expect(await response.text()).toBe("got 5 bytes");
    expect(receiver.seen).toEqual([{ method: "POST", url: "/in?x=1", host: `127.0.0.1:${receiver.port}`, body: "hello" }]);
  });

  it("returns a redirect as it is and never follows it", async () => {
    setOutboundAllowList("127.0.0.1");
    const target = await startReceiver((_req, res) => res.end("followed"));
    const redirecting = await startReceiver((_req, res) => {
      res.statusCode = 302;
      res.setHeader("Location", `http://127.0.0.1:${target.port}/elsewhere`);
      res.end();
    });

    const response = await outboundFetch(`http://127.0.0.1:${redirecting.port}/in`);

    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`http://127.0.0.1:${target.port}/elsewhere`);
    expect(target.seen).toHaveLength(0);
  });

  it("connects to the address it vetted, not to a second DNS answer", async () => {
    setOutboundAllowList("127.0.0.1");
    const receiver = await startReceiver((_req, res) => res.end("ok"));
    // The name exists only in this stubbed answer: had the connection resolved it again itself,
    // it would have failed (ENOTFOUND) instead of reaching the vetted address.
    const lookup = stubDns({ "hooks.rebind.test": ["127.0.0.1"] });
    const systemLookup = vi.spyOn(dns, "lookup");

    const response = await outboundFetch(`http://hooks.rebind.test:${receiver.port}/in`);

    expect(response.status).toBe(200);
    expect(receiver.seen[0]!.host).toBe(`hooks.rebind.test:${receiver.port}`);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(systemLookup).not.toHaveBeenCalled();
  });

  it("checks again at send time: a name that now resolves to loopback is refused", async () => {
    const receiver = await startReceiver((_req, res) => res.end("ok"));
    stubDns({ "hooks.rebind.test": ["127.0.0.1"] });

    const error = await outboundFetch(`http://hooks.rebind.test:${receiver.port}/in`).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect((error as OutboundRefusedError).message).toBe("hooks.rebind.test does not resolve to a public internet address");
    expect(receiver.seen).toHaveLength(0);
  });

  it("gives up after timeoutMs, and cuts a body off past maxBytes", async () => {
    setOutboundAllowList("127.0.0.1");
    const silent = await startReceiver(() => undefined);
    const error = await outboundFetch(`http://127.0.0.1:${silent.port}/in`, { timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "TimeoutError", message: "timed out after 150 ms" });

    const large = await startReceiver((_req, res) => res.end("x".repeat(5000)));
    const response = await outboundFetch(`http://127.0.0.1:${large.port}/in`, { maxBytes: 1000 });
    await expect(response.text()).rejects.toThrow(/larger than 1000 bytes/);
  });
});
