// The fallback for sources without Bulk Data: per type, a search by _lastUpdated (from the last run's
// clock on) sorted by it, following the Bundle's next links to the end. The run's clock is
// the source's Date header of the first answer (whole seconds, so never later than the search
// itself): a change during the run is met again next time rather than missed.
import { z } from "zod";

import { RESOURCE_TYPES } from "@/lib/fhir/import/fhir-schemas";
import type { TSourceSession } from "@/lib/fhir/sources/source-session";
import { httpFailure, pathOf, SyncRefusedError } from "@/lib/fhir/sources/sync-error";
import { NdjsonCollector, type TPulled, type TPullOptions } from "@/lib/fhir/sources/pulled-resources";

const PAGE_SIZE = 1000;
/** A source whose next links never end is a fault, not a dataset. */
const MAX_PAGES_PER_TYPE = 100_000;

const ZSearchBundle = z.object({
  resourceType: z.literal("Bundle"),
  link: z.array(z.object({ relation: z.string(), url: z.string() })).optional(),
  entry: z.array(z.object({ resource: z.object({ resourceType: z.string(), id: z.unknown().optional() }).passthrough().optional(), search: z.object({ mode: z.string().optional() }).optional() })).optional(),
});

const ZCapabilityStatement = z.object({
  rest: z.array(z.object({ resource: z.array(z.object({ type: z.string(), interaction: z.array(z.object({ code: z.string() })).optional() })).optional() })).optional(),
});

/** The importable types the source's CapabilityStatement says it searches. */
async function searchableTypes(session: TSourceSession): Promise<string[]> {
  const url = `${session.baseUrl}/metadata`;
  const answer = await session.fetch(url, { headers: { accept: "application/fhir+json" } });
  if (!answer.ok) throw httpFailure("CapabilityStatement", url, answer.status);
  const parsed = ZCapabilityStatement.safeParse(await answer.json().catch(() => null));
  if (!parsed.success) throw new SyncRefusedError(`CapabilityStatement: ${pathOf(url)} did not answer with one; name the source's resource types`);
  const offered = new Set((parsed.data.rest ?? []).flatMap((rest) => rest.resource ?? []).filter((resource) => resource.interaction?.some((interaction) => interaction.code === "search-type")).map((resource) => resource.type));

  return RESOURCE_TYPES.filter((type) => offered.has(type));
}

export async function pullBySearch(session: TSourceSession, options: TPullOptions, startedAt = new Date()): Promise<TPulled> {
  const collected = new NdjsonCollector(options.maxBytes);
  let sourceClock: Date | null = null;
  const origin = new URL(session.baseUrl).origin;
  const types = options.types.length ? options.types : await searchableTypes(session);

  for (const [index, type] of types.entries()) {
    await options.onProgress?.({ stage: `searching ${type} (${index + 1} of ${types.length})`, share: index / types.length });
    const query = new URLSearchParams({ _count: String(PAGE_SIZE), _sort: "_lastUpdated" });
    // ge, not gt: a server compares at the precision sent (gt of a whole second starts at the next
    // one), and what changed within the watermark's second must not be missed. Repeats upsert as unchanged.
    if (options.since) query.set("_lastUpdated", `ge${options.since.toISOString()}`);
    let url: string | null = `${session.baseUrl}/${type}?${query}`;
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES_PER_TYPE) throw new SyncRefusedError(`search ${type}: more than ${MAX_PAGES_PER_TYPE} pages`);
      const answer = await session.fetch(url, { headers: { accept: "application/fhir+json" }, maxBytes: collected.remainingBytes + 1_000_000, timeoutMs: 120_000 });
      if (!answer.ok) throw httpFailure(`search ${type}`, url, answer.status);
      const date = Date.parse(answer.headers.get("date") ?? "");
      sourceClock ??= Number.isNaN(date) ? startedAt : new Date(date);
      const parsed = ZSearchBundle.safeParse(await answer.json().catch(() => null));
      if (!parsed.success) throw new SyncRefusedError(`search ${type}: ${pathOf(url)} did not answer with a Bundle`);
      for (const [position, entry] of (parsed.data.entry ?? []).entries()) {
        // _include'd resources (search.mode "include") are not what was asked for; matches of the type are.
        if (!entry.resource || entry.search?.mode === "include" || entry.resource.resourceType !== type) continue;
        collected.addResource(entry.resource, `${type}:${page}:${position}`);
      }
      const next = parsed.data.link?.find((link) => link.relation === "next")?.url ?? null;
      // The next page must come from the same server: credentials are never sent elsewhere.
      if (next && new URL(next, `${session.baseUrl}/`).origin !== origin) throw new SyncRefusedError(`search ${type}: the next link leads to another server`);
      url = next ? new URL(next, `${session.baseUrl}/`).toString() : null;
    }
  }

  return { method: "search", transactionTime: sourceClock ?? startedAt, ...collected.result() };
}
