// A warehouse connection is an outbound target like a webhook: its host must be public or
// allow-listed, pg connects to the address that was checked, and a local socket path is never
// a warehouse. Needs the local PostgreSQL (skipped only when none is reachable).
import dns from "node:dns";

import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";

import { POST as registerRoute } from "@/app/api/v1/admin/warehouses/route";
import { prisma } from "@/lib/db/client";
import { openWarehouseSession } from "@/lib/warehouse/warehouse-client";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { setOutboundAllowList } from "../setup/outbound";

const SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

async function isReachable() {
  const client = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const reachable = await isReachable();

afterEach(() => {
  vi.restoreAllMocks();
  setOutboundAllowList("127.0.0.1");
});

describe.skipIf(!reachable)("warehouse hosts", () => {
  it("refuses a loopback warehouse without the operator's allow-list, saying why to the admin", async () => {
    const token = await tokenFor((await createUser({ role: "ADMIN" })).user.id);
    setOutboundAllowList(undefined);

    const refused = await call(registerRoute, { token, body: { name: "loopback_wh", url: SERVER } });

    expect(refused.status).toBe(400);
    expect(refused.json.issues).toEqual([{ path: "url", message: expect.stringMatching(/^could not connect to 127\.0\.0\.1:5432: refused: 127\.0\.0\.1 is a loopback address .*OUTBOUND_ALLOW_HOSTS/) }]);
    expect(await prisma.warehouseConnection.count({ where: { name: "loopback_wh" } })).toBe(0);
  });

  it("never connects to a local socket path given as ?host=, allow-list or not", async () => {
    const token = await tokenFor((await createUser({ role: "ADMIN" })).user.id);

    const refused = await call(registerRoute, { token, body: { name: "socket_wh", url: "postgresql://postgres@127.0.0.1:5432/postgres?host=/var/run/postgresql" } });

    expect(refused.status).toBe(400);
    expect(refused.json.issues).toEqual([{ path: "url", message: expect.stringMatching(/refused: a local socket path is not a warehouse host/) }]);
  });

  it("connects to the address it vetted: a name only the vetting lookup knows still reaches the server", async () => {
    const real = dns.promises.lookup.bind(dns.promises);
    const lookup = vi.spyOn(dns.promises, "lookup").mockImplementation((async (name: string, options: dns.LookupAllOptions) =>
      name === "warehouse.clinic.test" ? [{ address: "127.0.0.1", family: 4 }] : real(name, options)) as typeof dns.promises.lookup);

    const client = await openWarehouseSession("postgresql://postgres@warehouse.clinic.test:5432/postgres");
    try {
      expect((await client.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
    expect(lookup).toHaveBeenCalledWith("warehouse.clinic.test", expect.anything());

    // The same name resolving to loopback, without the allow-list: refused before connecting.
    setOutboundAllowList(undefined);
    await expect(openWarehouseSession("postgresql://postgres@warehouse.clinic.test:5432/postgres")).rejects.toThrow(/refused: warehouse\.clinic\.test resolves to 127\.0\.0\.1, a loopback address/);
  });
});
