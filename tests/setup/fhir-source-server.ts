// A second CareExport, run as its own process for the FHIR source sync tests: its own database
// (DATABASE_URL, migrated by the parent), its own job runner (so its Bulk $export jobs really
// run), and its real FHIR and admin route handlers behind a small node:http server on
// 127.0.0.1. It prints one JSON line, { baseUrl, adminToken }, once it listens.
// WITHOUT_BULK=1 answers 404 to every $export, as a FHIR server without Bulk Data does.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { createApiToken } from "@/lib/auth/tokens";
import { prisma } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { startJobRunner } from "@/lib/jobs/runner";

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type TRoute = { pattern: RegExp; names: string[]; load: () => Promise<Record<string, unknown>> };

// In the order Next would prefer them: fixed segments before dynamic ones.
const ROUTES: TRoute[] = [
  { pattern: /^\/api\/fhir$/, names: [], load: () => import("@/app/api/fhir/route") },
  { pattern: /^\/api\/fhir\/metadata$/, names: [], load: () => import("@/app/api/fhir/metadata/route") },
  { pattern: /^\/api\/fhir\/\.well-known\/smart-configuration$/, names: [], load: () => import("@/app/api/fhir/.well-known/smart-configuration/route") },
  { pattern: /^\/api\/fhir\/auth\/token$/, names: [], load: () => import("@/app/api/fhir/auth/token/route") },
  { pattern: /^\/api\/fhir\/bulk-status\/([^/]+)$/, names: ["id"], load: () => import("@/app/api/fhir/bulk-status/[id]/route") },
  { pattern: /^\/api\/fhir\/bulk-files\/([^/]+)\/([^/]+)$/, names: ["id", "name"], load: () => import("@/app/api/fhir/bulk-files/[id]/[name]/route") },
  { pattern: /^\/api\/fhir\/([^/]+)\/([^/]+)\/([^/]+)$/, names: ["type", "id", "operation"], load: () => import("@/app/api/fhir/[type]/[id]/[operation]/route") },
  { pattern: /^\/api\/fhir\/([^/]+)\/([^/]+)$/, names: ["type", "id"], load: () => import("@/app/api/fhir/[type]/[id]/route") },
  { pattern: /^\/api\/fhir\/([^/]+)$/, names: ["type"], load: () => import("@/app/api/fhir/[type]/route") },
  { pattern: /^\/api\/v1\/admin\/fhir-clients$/, names: [], load: () => import("@/app/api/v1/admin/fhir-clients/route") },
];

const isWithoutBulk = process.env.WITHOUT_BULK === "1";

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);

  return Buffer.concat(chunks);
}

async function answer(request: IncomingMessage, response: ServerResponse, origin: string) {
  const url = new URL(request.url ?? "/", origin);
  const path = decodeURIComponent(url.pathname);
  if (isWithoutBulk && path.includes("$export")) {
    response.writeHead(404, { "content-type": "application/fhir+json" }).end(JSON.stringify({ resourceType: "OperationOutcome", issue: [{ severity: "error", code: "not-supported", diagnostics: "no $export here" }] }));
    return;
  }
  const match = ROUTES.map((route) => ({ route, found: route.pattern.exec(path) })).find(({ found }) => found);
  const handler = match ? ((await match.route.load())[request.method ?? "GET"] as THandler | undefined) : undefined;
  if (!match || !handler) {
    response.writeHead(404).end();
    return;
  }
  const params = Object.fromEntries(match.route.names.map((name, index) => [name, match.found![index + 1]!]));
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await readBody(request);
  const headers = new Headers();
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) headers.append(request.rawHeaders[index]!, request.rawHeaders[index + 1]!);
  const result = await handler(new Request(url, { method: request.method, headers, body: body ? new Uint8Array(body) : undefined }), { params: Promise.resolve(params) });
  const outgoing: Record<string, string> = { date: new Date().toUTCString() };
  result.headers.forEach((value, name) => (outgoing[name] = value));
  response.writeHead(result.status, outgoing).end(Buffer.from(await result.arrayBuffer()));
}

const server = createServer((request, response) => {
  answer(request, response, origin).catch((error: unknown) => {
    process.stderr.write(`source server error: ${error instanceof Error ? error.stack : String(error)}\n`);
    if (!response.headersSent) response.writeHead(500);
    response.end();
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
// Manifest and status URLs are built from APP_URL: this instance's own address.
process.env.APP_URL = origin;
resetEnvCache();

const admin = await prisma.user.create({ data: { email: `source-admin-${process.pid}@source.test`, name: "Source admin", role: "ADMIN" } });
const { token } = await createApiToken({ userId: admin.id, name: "sync tests", days: 1, createdById: null });
startJobRunner({ concurrency: 1, pollMs: 100 });

process.stdout.write(`${JSON.stringify({ baseUrl: `${origin}/api/fhir`, adminToken: token })}\n`);
process.on("SIGTERM", () => {
  server.close();
  process.exit(0);
});
