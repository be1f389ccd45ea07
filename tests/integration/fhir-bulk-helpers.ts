// Calls of the Bulk Data endpoints, through their real route handlers.
import { GET as systemGet, POST as systemPost } from "@/app/api/fhir/[type]/route";
import { GET as patientGet, POST as patientPost } from "@/app/api/fhir/[type]/[id]/route";
import { GET as groupGet, POST as groupPost } from "@/app/api/fhir/[type]/[id]/[operation]/route";
import { GET as fileGet } from "@/app/api/fhir/bulk-files/[id]/[name]/route";
import { DELETE as statusDelete, GET as statusGet } from "@/app/api/fhir/bulk-status/[id]/route";
import { drainJobs } from "@/lib/jobs/runner";

import { call } from "../setup/http";

export const BULK_HEADERS = { accept: "application/fhir+json", prefer: "respond-async" };

export type TKickOffOptions = { token: string; query?: string; headers?: Record<string, string | undefined>; body?: unknown };

function headersOf(options: TKickOffOptions) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...BULK_HEADERS, ...(options.headers ?? {}) })) if (value !== undefined) headers[name] = value;
  if (options.body !== undefined) headers["content-type"] = "application/fhir+json";

  return headers;
}

/** A kick-off at `system`, `patient` or `group:<id>` level; GET unless a body is given. */
export async function kickOff(level: string, options: TKickOffOptions) {
  const query = options.query ? `?${options.query}` : "";
  const method = options.body !== undefined ? "POST" : "GET";
  const rawBody = options.body !== undefined ? JSON.stringify(options.body) : undefined;
  const common = { method, token: options.token, headers: headersOf(options), rawBody };
  if (level === "system") return call(method === "GET" ? systemGet : systemPost, { ...common, path: `/api/fhir/$export${query}`, params: { type: "$export" } });
  if (level === "patient") return call(method === "GET" ? patientGet : patientPost, { ...common, path: `/api/fhir/Patient/$export${query}`, params: { type: "Patient", id: "$export" } });
  const groupId = level.slice("group:".length);

  return call(method === "GET" ? groupGet : groupPost, { ...common, path: `/api/fhir/Group/${groupId}/$export${query}`, params: { type: "Group", id: groupId, operation: "$export" } });
}

export const jobIdOf = (contentLocation: string | null) => contentLocation!.split("/").pop()!;

export async function poll(jobId: string, token: string) {
  return call(statusGet, { path: `/api/fhir/bulk-status/${jobId}`, params: { id: jobId }, token });
}

export async function cancel(jobId: string, token: string) {
  return call(statusDelete, { method: "DELETE", path: `/api/fhir/bulk-status/${jobId}`, params: { id: jobId }, token });
}

export async function download(url: string, token: string) {
  const [, id, name] = /bulk-files\/([^/]+)\/([^/]+)$/.exec(url)!;

  return call(fileGet, { path: `/api/fhir/bulk-files/${id}/${name}`, params: { id: id!, name: name! }, token });
}

export type TManifest = { transactionTime: string; request: string; requiresAccessToken: boolean; output: { type: string; url: string; count: number }[]; error: { type: string; url: string; count: number }[] };

/** Kick-off, the first poll (always 202), the job run, and the manifest. */
export async function exportAndWait(level: string, options: TKickOffOptions) {
  const started = await kickOff(level, options);
  if (started.status !== 202) throw new Error(`kick-off answered ${started.status}: ${started.text}`);
  const jobId = jobIdOf(started.headers.get("content-location"));
  const first = await poll(jobId, options.token);
  if (first.status !== 202) throw new Error(`the first poll answered ${first.status}`);
  await drainJobs();
  const done = await poll(jobId, options.token);

  return { jobId, status: done, manifest: done.json as unknown as TManifest };
}

/** Every line of every file of a type, parsed. */
export async function resourcesIn(manifest: TManifest, type: string, token: string) {
  const resources: Record<string, unknown>[] = [];
  for (const file of manifest.output.filter((entry) => entry.type === type)) {
    const response = await download(file.url, token);
    if (response.status !== 200) throw new Error(`download answered ${response.status}`);
    resources.push(...response.text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>));
  }

  return resources;
}
