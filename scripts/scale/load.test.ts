// The line the SIGTERM verdict of `npm run test:scale` rests on: which failed requests count as
// "never accepted" (refused, retried elsewhere) and which as errors. Real sockets on 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { freePort } from "./cluster";
import { send } from "./http";
import { LoadGenerator, type TInstanceTarget } from "./load";

const servers: Server[] = [];

async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const ok = () => serve((_request, response) => response.end("{}"));
/** Accepts the connection and the request, then drops it before answering. */
const resetsBeforeAnswer = () => serve((request) => request.socket.destroy());
/** Starts answering, then drops the connection half-way through the body. */
const resetsMidAnswer = () =>
  serve((request, response) => {
    response.writeHead(200, { "content-length": "1000" });
    response.write("x".repeat(10));
    setTimeout(() => request.socket.destroy(), 20);
  });

function generator(instances: Array<Pick<TInstanceTarget, "name" | "baseUrl"> & { signalledAt?: number | null }>) {
  return new LoadGenerator(
    instances.map((instance) => ({ isUp: true, signalledAt: null, ...instance })),
    { therapist: "t", analyst: "a", admin: "d" },
    ["p"],
  );
}

const accept200 = (result: { status: number | null }) => (result.status === 200 ? null : `HTTP ${result.status}`);

describe("send", () => {
  it("tells a refused connection from an answer cut off half-way", async () => {
    const refused = await send(`http://127.0.0.1:${await freePort()}`, { path: "/" });
    expect(refused).toMatchObject({ status: null, error: "ECONNREFUSED", didRespond: false });

    const cut = await send(await resetsMidAnswer(), { path: "/" });
    expect(cut.didRespond).toBe(true);
    expect(cut.error).not.toBeNull();
  });
});

describe("LoadGenerator.request", () => {
  it("counts a refused connection apart, marks the instance down and retries on the other", async () => {
    const load = generator([
      { name: "down", baseUrl: `http://127.0.0.1:${await freePort()}` },
      { name: "up", baseUrl: await ok() },
    ]);
    const result = await load.request("p", "op", { path: "/" }, accept200);

    expect(result?.status).toBe(200);
    expect(load.samples.map((sample) => [sample.instance, sample.outcome])).toEqual([
      ["down", "refused"],
      ["up", "ok"],
    ]);
    expect(load.instances[0]!.isUp).toBe(false);
  });

  it("a reset before any answer is a refusal only on a connection opened after the instance was signalled", async () => {
    const resetting = await resetsBeforeAnswer();
    const signalledBefore = generator([{ name: "stopping", baseUrl: resetting, signalledAt: Date.now() - 1 }, { name: "up", baseUrl: await ok() }]);
    await signalledBefore.request("p", "op", { path: "/" }, accept200);
    expect(signalledBefore.samples[0]).toMatchObject({ instance: "stopping", outcome: "refused" });

    const notSignalled = generator([{ name: "running", baseUrl: resetting }]);
    expect(await notSignalled.request("p", "op", { path: "/" }, accept200)).toBeNull();
    expect(notSignalled.samples).toMatchObject([{ instance: "running", outcome: "error" }]);
  });

  it("an answer cut off half-way is an error, even after the signal", async () => {
    const load = generator([{ name: "stopping", baseUrl: await resetsMidAnswer(), signalledAt: Date.now() - 1 }]);
    expect(await load.request("p", "op", { path: "/" }, accept200)).toBeNull();
    expect(load.samples).toMatchObject([{ outcome: "error" }]);
    expect(load.samples[0]!.detail).toMatch(/after the answer began/);
  });

  it("an unexpected status is an error", async () => {
    const load = generator([{ name: "a", baseUrl: await serve((_request, response) => response.writeHead(500).end()) }]);
    expect(await load.request("p", "op", { path: "/" }, accept200)).toBeNull();
    expect(load.samples).toMatchObject([{ status: 500, outcome: "error", detail: "HTTP 500" }]);
  });
});
