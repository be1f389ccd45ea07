// A local webhook receiver for delivery tests: records every request and answers with the
// statuses it is told to, in order (200 once they run out).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type TWebhookHit = { headers: Record<string, string | string[] | undefined>; body: Buffer };

export async function startWebhookReceiver(path: string) {
  const hits: TWebhookHit[] = [];
  const state = { plannedStatuses: [] as number[] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      hits.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.statusCode = state.plannedStatuses.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    hits,
    /** Statuses for the next requests, in order. */
    plan(statuses: number[]) {
      state.plannedStatuses = [...statuses];
    },
    reset() {
      hits.length = 0;
      state.plannedStatuses = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
