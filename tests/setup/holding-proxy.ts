// An HTTP proxy in front of a test server that can hold requests: while held, each incoming
// request waits (its body read) until release() forwards it. Makes "a job in the middle of
// writing its file" a state a test can wait for, instead of a race against the clock.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type THeld = { request: IncomingMessage; body: Buffer; response: ServerResponse };

export async function startHoldingProxy(target: string, options: { isHolding?: boolean } = {}) {
  const upstream = new URL(target);
  let isHolding = options.isHolding ?? true;
  const held: THeld[] = [];
  const waiters: Array<() => void> = [];

  const forward = ({ request, body, response }: THeld) => {
    const outgoing = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on("error", () => response.destroy());
    outgoing.end(body);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = { request, body: Buffer.concat(chunks), response };
      if (!isHolding) {
        forward(entry);
        return;
      }
      held.push(entry);
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Resolves once a request matching `matches` (any, by default) is being held. */
    async waitForHeldRequest(matches: (request: { method: string; url: string }) => boolean = () => true) {
      const found = () => held.some(({ request }) => matches({ method: request.method ?? "", url: request.url ?? "" }));
      while (!found()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    /** From now on, requests wait until release(). */
    hold() {
      isHolding = true;
    },
    release() {
      isHolding = false;
      held.splice(0).forEach(forward);
    },
    async stop() {
      isHolding = false;
      held.splice(0).forEach(({ response }) => response.destroy());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
