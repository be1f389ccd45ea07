// The status URL and the files of a Bulk Data export: only the exporting caller (person or
// client) sees them; missing, foreign, cancelled and expired exports are the same 404. Each poll
// result, download and cancel is audited.
import { Readable } from "node:stream";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { authorizeFhirType } from "@/lib/fhir/api/fhir-access";
import type { TFhirCaller } from "@/lib/fhir/api/fhir-route";
import { operationOutcome } from "@/lib/fhir/api/operation-outcome";
import { BULK_JOB_KIND, NDJSON, ZBulkJobParameters, ZBulkManifestFile, type TBulkManifestFile } from "@/lib/fhir/bulk/bulk-types";
import { readAll, storage } from "@/lib/storage";

type TJobRow = Awaited<ReturnType<typeof prisma.exportJob.findUniqueOrThrow>>;

/** Seconds a client is asked to wait between polls. */
export const RETRY_AFTER_SECONDS = 2;

const gone = () => new AppError("NOT_FOUND", "No such export: it never existed, is not yours, was cancelled or has expired");

async function bulkJobOrThrow(caller: TFhirCaller, jobId: string): Promise<TJobRow> {
  const job = /^[a-z0-9]{1,40}$/i.test(jobId) ? await prisma.exportJob.findUnique({ where: { id: jobId } }) : null;
  // Only the exporter, admins included: the files were made for this caller's view and scopes.
  if (!job || job.kind !== BULK_JOB_KIND || job.userId !== caller.actor.id) throw gone();
  if (job.status === "CANCELLED" || job.status === "EXPIRED" || (job.expiresAt && job.expiresAt.getTime() <= Date.now())) throw gone();

  return job;
}

export async function readBulkManifestFile(job: { fileKey: string | null }): Promise<TBulkManifestFile | null> {
  if (!job.fileKey) return null;
  const parsed = ZBulkManifestFile.safeParse(JSON.parse((await readAll(await storage().get(job.fileKey))).toString("utf8")));

  return parsed.success ? parsed.data : null;
}

export type TBulkStatus =
  | { state: "pending"; progress: string }
  | { state: "complete"; manifest: Record<string, unknown>; expires: Date | null }
  | { state: "failed"; outcome: Record<string, unknown> };

export async function getBulkStatus(caller: TFhirCaller, jobId: string, meta: TRequestMeta): Promise<TBulkStatus> {
  const job = await bulkJobOrThrow(caller, jobId);
  const audit = (state: string, details: Record<string, unknown> = {}) =>
    recordAudit(null, { action: "fhir_bulk_polled", userId: caller.actor.id, exportJobId: job.id, metadata: { state, ...(caller.clientId ? { clientId: caller.clientId } : {}), ...details }, meta });

  // The first poll is always "in progress": a kick-off is never answered as done at once.
  const isFirstPoll = job.firstPolledAt === null && (await prisma.exportJob.updateMany({ where: { id: job.id, firstPolledAt: null }, data: { firstPolledAt: new Date() } })).count === 1;
  if (isFirstPoll || job.status === "PENDING" || job.status === "PROCESSING") {
    const progress = job.progress as { stage?: string } | null;
    const percent = job.status === "COMPLETED" ? 99 : job.progressPercent;
    await audit("in-progress", { percent });
    return { state: "pending", progress: `${percent}%${progress?.stage && job.status !== "COMPLETED" ? ` (${progress.stage})` : ""}` };
  }
  if (job.status === "FAILED") {
    await audit("failed");
    return { state: "failed", outcome: operationOutcome("error", "exception", job.errorMessage ?? "The export failed") };
  }

  const params = ZBulkJobParameters.parse(job.parameters);
  const stored = await readBulkManifestFile(job);
  if (!stored) throw gone();
  const fileUrl = (name: string) => `${params.baseUrl}/bulk-files/${job.id}/${name}`;
  await audit("complete", { files: stored.files.length });

  return {
    state: "complete",
    expires: job.expiresAt,
    manifest: {
      transactionTime: params.transactionTime,
      request: params.requestUrl,
      requiresAccessToken: true,
      output: stored.files.map((file) => ({ type: file.type, url: fileUrl(file.name), count: file.count })),
      // What lenient handling left out of the request (OperationOutcome files), as the IG suggests.
      error: stored.errors.map((file) => ({ type: file.type, url: fileUrl(file.name), count: file.count })),
      // `_since=last_successful_run`: the window the files cover (since null: the first export, full);
      // `consent`: how many patients of the scope were left out for their data-sharing opt-out.
      ...(params.sinceLastSuccessfulRun || stored.excludedForConsent !== undefined
        ? {
            extension: {
              ...(params.sinceLastSuccessfulRun ? { incremental: { since: params.since, until: params.transactionTime } } : {}),
              ...(stored.excludedForConsent !== undefined ? { consent: { excludedPatients: stored.excludedForConsent } } : {}),
            },
          }
        : {}),
    },
  };
}

/** DELETE on the status URL: the job stops (its worker notices), its files go; 404 from then on. */
export async function cancelBulkExport(caller: TFhirCaller, jobId: string, meta: TRequestMeta) {
  const job = await bulkJobOrThrow(caller, jobId);
  const cancelled = await prisma.$transaction(async (tx) => {
    const updated = await tx.exportJob.updateMany({ where: { id: job.id, status: job.status }, data: { status: "CANCELLED", leaseOwner: null, leaseExpiresAt: null, completedAt: new Date() } });
    if (!updated.count) return false;
    await recordAudit(tx, { action: "fhir_bulk_cancelled", userId: caller.actor.id, exportJobId: job.id, metadata: { status: job.status, ...(caller.clientId ? { clientId: caller.clientId } : {}) }, meta });

    return true;
  });
  if (!cancelled) throw gone();
  await deleteBulkFiles(job);
}

/** Removes an export's NDJSON files and its manifest (cancel, expiry, deletion). */
export async function deleteBulkFiles(job: { fileKey: string | null }) {
  const stored = await readBulkManifestFile(job).catch(() => null);
  await Promise.all([...(stored?.files ?? []), ...(stored?.errors ?? [])].map((file) => storage().delete(file.key).catch(() => undefined)));
  if (job.fileKey) await storage().delete(job.fileKey).catch(() => undefined);
}

/** One NDJSON file, to its exporter, with a token whose scopes still cover its type. */
export async function serveBulkFile(caller: TFhirCaller, jobId: string, name: string, meta: TRequestMeta): Promise<Response> {
  const job = await bulkJobOrThrow(caller, jobId);
  if (job.status !== "COMPLETED") throw gone();
  const stored = await readBulkManifestFile(job);
  const file = [...(stored?.files ?? []), ...(stored?.errors ?? [])].find((candidate) => candidate.name === name);
  if (!file) throw gone();
  // The request's own outcomes are the caller's; every data file needs scopes covering its type, today.
  if (file.type !== "OperationOutcome") await authorizeFhirType(caller, file.type, "search", meta);

  const stream = await storage().get(file.key);
  await recordAudit(null, { action: "downloaded", userId: caller.actor.id, exportJobId: job.id, metadata: { via: "fhir-bulk", file: file.name, type: file.type, count: file.count, ...(caller.clientId ? { clientId: caller.clientId } : {}) }, meta });

  return new Response(Readable.toWeb(stream) as ReadableStream, { headers: { "Content-Type": NDJSON, "Cache-Control": "no-store", "Content-Disposition": `attachment; filename="${file.name}"` } });
}
