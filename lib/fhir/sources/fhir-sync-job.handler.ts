// The fhir_sync job: one sync run of a FHIR source. Bulk $export with _since = the last succeeded
// run's transactionTime (first run: everything), or paged searches by _lastUpdated when the source
// has no Bulk Data (or is set to "search"); then one import of everything brought (lib/fhir/import:
// all or nothing, upsert by FHIR id) whose transaction also records the run as succeeded with its
// new watermark. The job's file is the run's summary (counts and times; no resources).
import { env } from "@/lib/env";
import { importFhir } from "@/lib/fhir/import/import-fhir";
import { ZFhirSyncParameters } from "@/lib/fhir/sources/fhir-sync-types";
import { pullBulkExport } from "@/lib/fhir/sources/pull-bulk-export";
import { pullBySearch } from "@/lib/fhir/sources/pull-by-search";
import type { TPulled, TPullOptions } from "@/lib/fhir/sources/pulled-resources";
import { openSourceSession } from "@/lib/fhir/sources/source-session";
import { SyncRefusedError } from "@/lib/fhir/sources/sync-error";
import { prisma } from "@/lib/db/client";
import { PermanentJobError, type TJobContext, type TJobOutput } from "@/lib/jobs/job-types";

/** Share of the progress bar the pull takes; the import takes the rest. */
const PULL_SHARE = 70;

async function pull(context: TJobContext, source: { mode: string }, options: TPullOptions, session: ReturnType<typeof openSourceSession>): Promise<TPulled> {
  if (source.mode !== "search") {
    const pulled = await pullBulkExport(session, options);
    if (pulled) return pulled;
    if (source.mode === "bulk") throw new SyncRefusedError("the source has no Bulk Data $export (set the source's mode to auto or search)");
    await context.reportProgress({ percent: 5, stage: "the source has no $export: searching by _lastUpdated" });
  }

  return pullBySearch(session, options);
}

export async function handleFhirSyncJob(context: TJobContext): Promise<TJobOutput> {
  const parsed = ZFhirSyncParameters.safeParse(context.job.parameters);
  if (!parsed.success) throw new PermanentJobError("The sync job's parameters are unreadable");
  const { fhirSourceId, syncId } = parsed.data;
  const source = await prisma.fhirSource.findUnique({ where: { id: fhirSourceId } });
  if (!source) throw new PermanentJobError("The FHIR source was removed before its sync ran");
  const lastSucceeded = await prisma.fhirSourceSync.findFirst({ where: { sourceId: source.id, status: "succeeded" }, orderBy: { completedAt: "desc" }, select: { transactionTime: true } });
  const since = lastSucceeded?.transactionTime ?? null;
  await prisma.fhirSourceSync.update({ where: { id: syncId }, data: { status: "running", since, error: null } });

  try {
    await context.reportProgress({ percent: 1, stage: since ? `pulling changes since ${since.toISOString()}` : "pulling everything (first run)" });
    const session = openSourceSession(source, context.signal);
    const options: TPullOptions = {
      types: source.resourceTypes as string[],
      since,
      maxBytes: env().FHIR_IMPORT_MAX_BYTES,
      signal: context.signal,
      onProgress: (progress) => context.reportProgress({ percent: Math.round((progress.share ?? 0) * PULL_SHARE), stage: progress.stage }),
    };
    const pulled = await pull(context, source, options, session);
    await context.reportProgress({ percent: PULL_SHARE, stage: `importing ${pulled.total} resources`, rows: pulled.total, totalRows: pulled.total });

    const succeeded = { status: "succeeded", method: pulled.method, transactionTime: pulled.transactionTime, resourceCount: pulled.total, completedAt: new Date(), error: null };
    let counts: Record<string, unknown> = {};
    if (pulled.total > 0) {
      const imported = await importFhir(pulled.ndjson, {
        format: "ndjson",
        actorUserId: context.job.userId,
        meta: { ...(context.job.requestMeta ?? { ipAddress: null, userAgent: null }), via: "worker" },
        source: { kind: "fhir_source", label: source.name, fhirSourceId: source.id },
        // The watermark moves with the data, in its transaction: never ahead of what was written.
        beforeCommit: async (tx) => {
          await tx.fhirSourceSync.update({ where: { id: syncId }, data: { ...succeeded, completedAt: new Date() } });
        },
      });
      counts = imported.counts;
    } else {
      await prisma.fhirSourceSync.update({ where: { id: syncId }, data: succeeded });
    }

    const summary = { source: source.name, method: pulled.method, since: since?.toISOString() ?? null, transactionTime: pulled.transactionTime.toISOString(), resources: pulled.total, byType: pulled.countsByType, counts };

    return {
      body: Buffer.from(`${JSON.stringify(summary, null, 2)}\n`),
      fileName: `fhir-sync-${source.name}-${pulled.transactionTime.toISOString().replace(/[:.]/g, "-")}.json`,
      mimeType: "application/json",
      auditDetails: { fhirSourceId: source.id, method: pulled.method, since: summary.since, transactionTime: summary.transactionTime, resources: pulled.total },
    };
  } catch (error) {
    // Each attempt's reason stays on the run; the job system retries or fails the job.
    const reason = error instanceof Error && (error instanceof PermanentJobError || error.name === "SyncUnavailableError" || error.name === "AppError") ? error.message : "internal error (logged)";
    await prisma.fhirSourceSync.update({ where: { id: syncId }, data: { error: reason.slice(0, 1000) } }).catch(() => undefined);
    // An import the validator refused cannot succeed on retry either.
    if (error instanceof Error && error.name === "AppError") throw new PermanentJobError(`The source's data was refused by the import: ${error.message}`);
    throw error;
  }
}
