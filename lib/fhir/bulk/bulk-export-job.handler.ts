// The Bulk Data export job: each type's resources, in id order a batch at a time, serialized
// through the REST API's own views (de-identified for analysts: the same ids, policies and
// labels), written as NDJSON files into the encrypted storage (a new file past MAX_FILE_BYTES).
// A de-identified file is release-scanned as stored, against every patient the export covers,
// before the manifest lists it (bulk-release-scan.ts), interleaved with the writing of the next
// type. The job's own file is the manifest.
import { Readable } from "node:stream";

import { Prisma } from "@/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { IDENTIFIED_VIEW, maskedView, type TFhirView } from "@/lib/fhir/api/fhir-view";
import { operationOutcome } from "@/lib/fhir/api/operation-outcome";
import { parseSearchRequest } from "@/lib/fhir/api/parse-search-request";
import { searchQuestionnaires } from "@/lib/fhir/api/questionnaire-catalog-search";
import { findResourceType, type TSource } from "@/lib/fhir/api/resource-types";
import type { TWhere } from "@/lib/fhir/api/search-parameters";
import { scopeWhere, sourcesFor, type TRow } from "@/lib/fhir/api/search-resources";
import { ROW_INCLUDE } from "@/lib/fhir/api/serialize-rows";
import { subset } from "@/lib/fhir/api/subset-elements";
import { buildBulkScanner, scanBulkFiles, type TBulkScanResult } from "@/lib/fhir/bulk/bulk-release-scan";
import { openRowsById, readsThroughDriver, streamRows } from "@/lib/fhir/bulk/bulk-rows";
import { type TBulkFile, type TBulkJobParameters, type TBulkManifestFile } from "@/lib/fhir/bulk/bulk-types";
import { groupPatientWhere, parseGroupId } from "@/lib/fhir/bulk/groups";
import type { TFhirResource } from "@/lib/fhir/serialize/fhir-values";
import { PermanentJobError, type TJobContext, type TJobHandler } from "@/lib/jobs/job-types";
import { storage } from "@/lib/storage";

const BATCH = 1_000;
/**
 * Rows serialized and written as one chunk. Small on purpose: a batch's rows, resources and text
 * live across the awaits of its write, so they outlive young-generation GCs and pile up in the old
 * generation until a major GC. Measured (SQLite, 200,000 resources): 1,000 rows a chunk peaked at
 * 320 MB RSS, 100 at 230-240 MB, with less CPU (fewer objects promoted); 50 was no better.
 * A divisor of BATCH, so a page of BATCH rows ends where a chunk ends (files split on pages).
 */
const ROWS_IN_FLIGHT = 100;
/** A type's resources go on in a new file past this many bytes. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Whole NDJSON lines; `endsPage`: a file may end after this chunk. */
type TChunk = { text: string; lines: number; endsPage: boolean };

type TDelegate = { findMany(args: object): Promise<TRow[]>; count(args: object): Promise<number> };

/** The patients the export covers, as a `where` on Patient (null: every patient). */
function patientScope(params: TBulkJobParameters): TWhere | null {
  const parts: TWhere[] = [];
  if (params.therapistId) parts.push({ assignments: { some: { userId: params.therapistId } } });
  const group = params.groupId ? parseGroupId(params.groupId) : null;
  if (group) parts.push(groupPatientWhere(group));
  if (params.patientIds) parts.push({ id: { in: params.patientIds } });

  return parts.length ? { AND: parts } : null;
}

/** `_typeFilter`: a resource matches any of its type's queries (each query: all of its parameters). */
async function typeFilterWhere(source: TSource, type: string, queries: string[] | undefined, view: TFhirView): Promise<TWhere | null> {
  const definition = findResourceType(type);
  if (!queries?.length || !definition) return null;
  const alternatives: TWhere[] = [];
  for (const query of queries) {
    // Checked at kick-off under the caller's handling: what is still unsupported here was let go there.
    const parsed = parseSearchRequest({ type, params: definition.params, sortsByDate: false }, new URLSearchParams(query), { isStrict: false, isMasked: view.isMasked });
    const parts: TWhere[] = [];
    for (const { name, value } of parsed.filters) {
      const filter = source.filters[name];
      if (filter) parts.push(await filter(value, { view, parameter: name }));
    }
    alternatives.push({ AND: parts });
  }

  return { OR: alternatives };
}

function sourceWhere(source: TSource, scope: TWhere | null, since: Date | null, filter: TWhere | null, excludesOptedOut: boolean): TWhere {
  const parts: TWhere[] = [scopeWhere(source, { therapistId: null, excludesOptedOut })];
  if (scope && source.patientField === "id") parts.push(scope);
  if (scope && source.patientField === "patientId") parts.push({ patient: scope });
  if (since) parts.push({ updatedAt: { gt: since } });
  if (filter) parts.push(filter);

  return { AND: parts };
}

/**
 * What a batch reads of a model's relations. The de-identified view refers to a related row by its
 * internal id alone (a pseudonym of it), which the row's own foreign key (`<relation>Id`) already
 * holds: those to-one relations are not joined for it (each join is another query per batch and
 * its rows decoded). The identified view serves the related rows' FHIR ids, so it joins them all.
 */
function rowReads(model: TSource["model"], isMasked: boolean): { include: object; fromForeignKeys: string[] } {
  const include: Record<string, unknown> = { ...ROW_INCLUDE[model] };
  if (!isMasked) return { include, fromForeignKeys: [] };
  const scalars = (Prisma as unknown as Record<string, Record<string, string> | undefined>)[`${model[0]!.toUpperCase()}${model.slice(1)}ScalarFieldEnum`] ?? {};
  const fromForeignKeys = Object.keys(include).filter((relation) => `${relation}Id` in scalars);
  for (const relation of fromForeignKeys) delete include[relation];

  return { include, fromForeignKeys };
}

/** The internal ids of the patients a scoped export covers (null scope: every patient, left to the scan to page through). */
async function scopedPatientIds(scope: TWhere | null): Promise<string[] | null> {
  if (!scope) return null;
  const ids: string[] = [];
  for (let afterId = ""; ; ) {
    const rows = await prisma.patient.findMany({ where: { AND: [scope, { id: { gt: afterId } }] }, orderBy: { id: "asc" }, take: BATCH, select: { id: true } });
    for (const row of rows) ids.push(row.id);
    if (rows.length < BATCH) return ids;
    afterId = rows[rows.length - 1]!.id;
  }
}

export const handleBulkExportJob: TJobHandler<TBulkJobParameters> = async (ctx: TJobContext<TBulkJobParameters>) => {
  const params = ctx.payload;
  const isMasked = params.view === "deidentified";
  const key = env().ANON_KEY;
  const asOf = new Date(params.transactionTime);
  // One view for the whole export: each patient's identity is loaded and derived once (the view
  // keeps a bounded number of them), and pseudonyms that recur across rows are computed once.
  const view = isMasked ? maskedView({ key, profile: params.profile ?? "safe-harbor", asOf, keepsScanSubjects: false }) : IDENTIFIED_VIEW;
  const scope = patientScope(params);
  const since = params.since ? new Date(params.since) : null;
  const prefix = `${ctx.job.userId}/${ctx.job.id}/${ctx.job.attempts}/bulk`;
  const files: TBulkFile[] = [];
  let resources = 0;

  const elementsFor = (type: string) => {
    if (!params.elements) return null;
    const names = params.elements.flatMap((element) => {
      const [first, second] = element.split(".");
      return second ? (first === type ? [second] : []) : [first!];
    });
    return names.length ? names : null;
  };
  const line = (resource: TFhirResource) => {
    const elements = elementsFor(resource.resourceType);
    return `${JSON.stringify(elements ? subset(resource, elements) : resource)}\n`;
  };

  /** Writes one type's lines (in chunks of whole lines) into as many files as their size needs. */
  async function writeType(type: string, chunks: AsyncIterator<TChunk>) {
    try {
      await writeParts(type, chunks);
    } catch (error) {
      // A driver read holds a connection or a read-only handle until its generator returns.
      await chunks.return?.();
      throw error;
    }
  }

  async function writeParts(type: string, chunks: AsyncIterator<TChunk>) {
    for (let part = 1, isDone = false; !isDone; part++) {
      let count = 0;
      let bytes = 0;
      async function* chunk() {
        for (;;) {
          const next = await chunks.next();
          if (next.done) {
            isDone = true;
            return;
          }
          count += next.value.lines;
          bytes += Buffer.byteLength(next.value.text);
          yield next.value.text;
          // A file ends only where a page ends, past the size: the same files, line for line,
          // as when each page was written as one chunk.
          if (next.value.endsPage && bytes >= MAX_FILE_BYTES) return;
        }
      }
      const name = `${type}-${part}.ndjson`;
      const fileKey = `${prefix}/${name}`;
      await storage().put(fileKey, Readable.from(chunk()));
      if (!count) {
        await storage().delete(fileKey);
        break;
      }
      files.push({ type, name, key: fileKey, count });
      if (type !== "OperationOutcome") resources += count;
    }
  }

  /** One batch's NDJSON text (its patients prepared first). */
  async function batchLines(source: TSource, rows: TRow[]) {
    await view.prepare(rows.map((row) => (source.patientField === "id" ? row.id : source.patientField === "patientId" ? (row.patientId as string) : null)).filter((id): id is string => Boolean(id)));
    let text = "";
    for (const row of rows) text += line(source.serialize(row, view));
    return { text, lines: rows.length };
  }

  /**
   * A source's rows in id order, a batch at a time. Read through the driver (bulk-rows.ts) where
   * the model allows: as one statement when the export's filter is the job's own (no patient scope,
   * no `_typeFilter`), else the ids of each batch through Prisma's `where` and the rows by id.
   * The serializers build each resource from the columns; the stored source resource (`raw`, the
   * largest column) is never read here.
   */
  async function* sourceBatches(source: TSource, where: TWhere, isOwnFilter: boolean): AsyncGenerator<TRow[]> {
    if (readsThroughDriver(source.model) && isOwnFilter) {
      yield* streamRows(source.model, view.isMasked, { patientField: source.patientField, excludesOptedOut: params.excludesOptedOut, since }, ROWS_IN_FLIGHT);
      return;
    }
    const delegate = prisma[source.model] as unknown as TDelegate;
    const byId = readsThroughDriver(source.model) ? await openRowsById(source.model, view.isMasked) : null;
    try {
      const { include, fromForeignKeys } = rowReads(source.model, view.isMasked);
      for (let afterId = ""; ; ) {
        const page = { where: { AND: [where, { id: { gt: afterId } }] }, orderBy: [{ id: "asc" }], take: BATCH };
        // A page of ids through Prisma (its `where`), its rows read ROWS_IN_FLIGHT at a time.
        if (byId) {
          const ids = (await delegate.findMany({ ...page, select: { id: true } })).map((row) => row.id);
          for (let start = 0; start < ids.length; start += ROWS_IN_FLIGHT) {
            const rows = await byId.read(ids.slice(start, start + ROWS_IN_FLIGHT));
            if (rows.length) yield rows;
          }
          if (ids.length < BATCH) return;
          afterId = ids[ids.length - 1]!;
          continue;
        }
        const rows = await delegate.findMany({ ...page, include, omit: { raw: true } });
        for (const row of rows) for (const relation of fromForeignKeys) row[relation] = row[`${relation}Id`] ? { id: row[`${relation}Id`] } : null;
        for (let start = 0; start < rows.length; start += ROWS_IN_FLIGHT) yield rows.slice(start, start + ROWS_IN_FLIGHT);
        if (rows.length < BATCH) return;
        afterId = rows[rows.length - 1]!.id;
      }
    } finally {
      await byId?.close();
    }
  }

  /**
   * A source's NDJSON in chunks of ROWS_IN_FLIGHT rows. `endsPage` marks the end of each BATCH rows
   * of the source and of the source itself (one batch read ahead to know it): where a file may end.
   * The batch read ahead is serialized before the chunk before it is handed on, so no rows wait
   * across that hand-off (the writer's backpressure, the storage's writes): held there, each batch's
   * rows (their strings, dates, relation objects) outlived two young-generation GCs often enough
   * that on PostgreSQL the old generation grew ~3.5 MB/s with garbage through the Observation file
   * (heap peak ~140 MB at 1,000,000 resources; with this, flat at ~75 MB: BENCHMARKS.md, "Bulk
   * export on PostgreSQL: peak RSS under 300 MB").
   */
  async function* sourceLines(source: TSource, where: TWhere, isOwnFilter: boolean, onBatch: (rows: number) => Promise<void>): AsyncGenerator<TChunk> {
    const batches = sourceBatches(source, where, isOwnFilter);
    try {
      let rowsSoFar = 0;
      const nextChunk = async () => {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const batch = await batches.next();
        return batch.done ? null : batchLines(source, batch.value);
      };
      for (let current = await nextChunk(); current; ) {
        rowsSoFar += current.lines;
        const next = await nextChunk();
        yield { text: current.text, lines: current.lines, endsPage: rowsSoFar % BATCH === 0 || !next };
        await onBatch(current.lines);
        current = next;
      }
    } finally {
      await batches.return(undefined);
    }
  }

  // De-identified files are scanned while the next type is written; each scan's outcome is kept
  // (never left as an unhandled rejection) and read before the manifest. One scanner per export,
  // built on the first scan and let go with the job.
  const scans: Promise<{ result?: TBulkScanResult; error?: unknown }>[] = [];
  try {
    const patientIds = isMasked ? await scopedPatientIds(scope) : null;
    let scanner: ReturnType<typeof buildBulkScanner> | null = null;
    for (const [typeIndex, type] of params.types.entries()) {
      const progress = (fraction: number) => ctx.reportProgress({ percent: Math.min(95, ((typeIndex + fraction) / params.types.length) * 95), stage: `exporting ${type}`, rows: resources });
      await progress(0);
      const before = files.length;
      if (type === "Questionnaire") {
        const catalog = since ? [] : searchQuestionnaires(new URLSearchParams(), false, view);
        await writeType(type, (async function* () {
          for (const resource of catalog) yield { text: line(resource), lines: 1, endsPage: true };
        })());
      } else {
        const definition = findResourceType(type);
        if (!definition) throw new PermanentJobError(`${type} is not a type this server exports.`);
        const sources = sourcesFor(definition, view).filter((source) => source.patientField !== null || !scope);
        const typeFilters = await Promise.all(sources.map((source) => typeFilterWhere(source, type, params.typeFilters[type], view)));
        const wheres = sources.map((source, index) => sourceWhere(source, scope, since, typeFilters[index]!, params.excludesOptedOut));
        const total = (await Promise.all(sources.map((source, index) => (prisma[source.model] as unknown as TDelegate).count({ where: wheres[index]! })))).reduce((sum, count) => sum + count, 0);
        let done = 0;
        const onBatch = async (rows: number) => {
          done += rows;
          await progress(total ? done / total : 1);
        };
        await writeType(type, (async function* () {
          for (const [index, source] of sources.entries()) yield* sourceLines(source, wheres[index]!, !scope && !typeFilters[index], onBatch);
        })());
      }
      // The release scan reads each de-identified file back as stored, before the manifest names it.
      if (isMasked) {
        scanner ??= buildBulkScanner(patientIds, key);
        const typeFiles = files.slice(before).map(({ key: fileKey, name }) => ({ key: fileKey, name }));
        scans.push(scanner.then((built) => scanBulkFiles(built, typeFiles)).then((result) => ({ result }), (error: unknown) => ({ error })));
      }
    }
    if (scans.length) await ctx.reportProgress({ percent: 96, stage: "release scan", rows: resources });
    let scannedPatients = 0;
    for (const outcome of await Promise.all(scans)) {
      if (outcome.error) throw outcome.error;
      const withheld = outcome.result?.withheld;
      if (withheld) throw new PermanentJobError(`The release scan withheld the export: ${withheld.message}`, { patientId: withheld.patientId });
      scannedPatients = outcome.result?.patients ?? scannedPatients;
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    // What lenient handling left out of the request, as OperationOutcomes in the manifest's `error`.
    const outputs = files.length;
    if (params.ignored.length) {
      await writeType("OperationOutcome", (async function* () {
        for (const message of params.ignored) yield { text: `${JSON.stringify(operationOutcome("warning", "not-supported", message))}\n`, lines: 1, endsPage: true };
      })());
    }
    // How many of the scope's patients consent left out, as the dataset manifest says it (counted, never listed).
    const excludedForConsent = params.excludesOptedOut ? await prisma.patient.count({ where: { AND: [scope ?? {}, { dataSharingOptOut: true }] } }) : undefined;
    const manifest: TBulkManifestFile = { files: files.slice(0, outputs), errors: files.slice(outputs), ...(excludedForConsent === undefined ? {} : { excludedForConsent }) };

    return {
      body: Buffer.from(JSON.stringify(manifest)),
      fileName: "manifest.json",
      mimeType: "application/json",
      auditDetails: { level: params.level, view: params.view, files: outputs, resources, types: params.types, ...(isMasked ? { releaseScan: { patients: scannedPatients, outcome: "clean" } } : {}) },
    };
  } catch (error) {
    // Scans still reading the files end first, so none of them fails on a file deleted under it.
    await Promise.all(scans);
    await Promise.all(files.map((file) => storage().delete(file.key).catch(() => undefined)));
    throw error;
  }
};
