// A system-level Bulk Data $export at the source (FHIR Bulk Data Access IG 2.0.0, client side):
// kick-off with _type and _since, poll the status URL honouring Retry-After, download every
// output file (with the access token when the manifest says requiresAccessToken), then tell the
// source it may delete the files. Returns null when the source has no $export (for the fallback).
import { z } from "zod";

import { RESOURCE_TYPES } from "@/lib/fhir/import/fhir-schemas";
import type { TSourceSession } from "@/lib/fhir/sources/source-session";
import { httpFailure, pathOf, SyncRefusedError, SyncUnavailableError } from "@/lib/fhir/sources/sync-error";
import type { TPulled, TPullOptions } from "@/lib/fhir/sources/pulled-resources";
import { NdjsonCollector } from "@/lib/fhir/sources/pulled-resources";

/** Statuses by which a server says it has no such operation (an older FHIR server, a plain REST one). */
const NO_BULK_STATUSES = new Set([404, 405, 501]);
const DEFAULT_RETRY_AFTER_MS = 5_000;
/** Retry-After is honoured within these bounds: a source asking for an hour is asked again sooner. */
const MIN_WAIT_MS = 500;
const MAX_WAIT_MS = 120_000;
/** A source still exporting after this long has stalled: the run fails and is retried later. */
const MAX_EXPORT_MS = 6 * 3_600_000;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

const ZManifest = z.object({
  transactionTime: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "must be an instant"),
  requiresAccessToken: z.boolean().optional(),
  output: z.array(z.object({ type: z.string(), url: z.string().min(1) })),
});

/** Retry-After as seconds or an HTTP date, bounded; absent or unreadable: the default. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (!header) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header.trim());
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;

  return Number.isNaN(wait) ? DEFAULT_RETRY_AFTER_MS : Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, wait));
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

async function kickOff(session: TSourceSession, options: TPullOptions): Promise<string | null> {
  const query = new URLSearchParams(options.types.length ? { _type: options.types.join(",") } : {});
  if (options.since) query.set("_since", options.since.toISOString());
  const url = `${session.baseUrl}/$export?${query}`;
  const answer = await session.fetch(url, { headers: { accept: "application/fhir+json", prefer: "respond-async" } });
  await answer.body?.cancel();
  if (NO_BULK_STATUSES.has(answer.status)) return null;
  if (answer.status !== 202) throw httpFailure("Bulk $export kick-off", url, answer.status);
  const location = answer.headers.get("content-location");
  if (!location) throw new SyncRefusedError(`Bulk $export kick-off: ${pathOf(url)} gave no Content-Location`);

  return new URL(location, `${session.baseUrl}/`).toString();
}

async function waitForManifest(session: TSourceSession, statusUrl: string, options: TPullOptions) {
  const giveUpAt = Date.now() + MAX_EXPORT_MS;
  for (;;) {
    const answer = await session.fetch(statusUrl, { headers: { accept: "application/json" } });
    if (answer.status === 200) {
      const parsed = ZManifest.safeParse(await answer.json().catch(() => null));
      if (!parsed.success) throw new SyncRefusedError(`Bulk $export: the manifest at ${pathOf(statusUrl)} is not a Bulk Data manifest`);
      return parsed.data;
    }
    await answer.body?.cancel();
    if (answer.status !== 202 && answer.status !== 429) throw httpFailure("Bulk $export status", statusUrl, answer.status);
    if (Date.now() > giveUpAt) throw new SyncUnavailableError(`Bulk $export: the source was still exporting after ${MAX_EXPORT_MS / 3_600_000} h`);
    await options.onProgress?.({ stage: `exporting at the source${answer.headers.get("x-progress") ? ` (${answer.headers.get("x-progress")!.slice(0, 60)})` : ""}` });
    await sleep(retryAfterMs(answer.headers.get("retry-after")), options.signal);
  }
}

export async function pullBulkExport(session: TSourceSession, options: TPullOptions): Promise<TPulled | null> {
  const statusUrl = await kickOff(session, options);
  if (!statusUrl) return null;
  const manifest = await waitForManifest(session, statusUrl, options);
  // Without _type the source sends all it has: what the import cannot take (Questionnaire, Measure...) is left.
  const requested = new Set<string>(options.types.length ? options.types : RESOURCE_TYPES);
  const files = manifest.output.filter((file) => requested.has(file.type));
  const collected = new NdjsonCollector(options.maxBytes);
  for (const [index, file] of files.entries()) {
    await options.onProgress?.({ stage: `downloading ${file.type} (${index + 1} of ${files.length})`, share: index / Math.max(1, files.length) });
    const url = new URL(file.url, `${session.baseUrl}/`).toString();
    // The token goes to the source's own origin only; files elsewhere (a signed storage URL) get none.
    const withAuth = manifest.requiresAccessToken !== false && new URL(url).origin === new URL(session.baseUrl).origin;
    const answer = await session.fetch(url, { withAuth, headers: { accept: "application/fhir+ndjson" }, maxBytes: collected.remainingBytes + 1, timeoutMs: DOWNLOAD_TIMEOUT_MS });
    if (!answer.ok) throw httpFailure(`Bulk $export file ${file.type}`, url, answer.status);
    collected.addNdjson(await readBody(answer, url), file.type);
  }
  // The files are no longer needed at the source (the IG's "client may DELETE"); not required to succeed.
  await session.fetch(statusUrl, { method: "DELETE" }).then((answer) => answer.body?.cancel()).catch(() => undefined);

  return { method: "bulk", transactionTime: new Date(manifest.transactionTime), ...collected.result() };
}

async function readBody(answer: Response, url: string): Promise<string> {
  try {
    return await answer.text();
  } catch (error) {
    // outboundFetch fails the body past maxBytes: that is the run's size limit, not a network fault.
    if (error instanceof Error && /larger than/.test(error.message)) throw new SyncRefusedError(`${pathOf(url)}: the run is larger than FHIR_IMPORT_MAX_BYTES`);
    throw new SyncUnavailableError(`${pathOf(url)}: the download broke off`);
  }
}
