// Runs one claimed job: payload checked against its kind's schema -> handler -> for an export,
// encrypted storage -> checksum -> verify -> completed. A failure is retried with the kind's
// backoff until maxAttempts, then the job fails with a readable error. Every ending of an export
// is audited in the requester's name; a task kind (a delivery) audits what it did itself and is
// told when it fails for good. Follow-up work (a scheduled run's delivery) is queued in the
// transaction that ends the job, so it happens once however the worker stops.
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma, type TTx } from "@/lib/db/client";
import { LEASE_MS } from "@/lib/jobs/claim-job";
import type { TJobDefinition } from "@/lib/jobs/define-job";
import { deleteJobFiles } from "@/lib/jobs/delete-job-files";
import { notifyJobQueued } from "@/lib/jobs/enqueue-job";
import { runJobFinishedHooks } from "@/lib/jobs/job-finished-hooks";
import { LeaseLostError, PermanentJobError, type TJobContext, type TJobOutput, type TJobProgress } from "@/lib/jobs/job-types";
import { payloadAtClaim } from "@/lib/jobs/payload-at-claim";
import { jobDefinitionOf } from "@/lib/jobs/registry";
import { logger } from "@/lib/logger";
import { getSettings } from "@/lib/settings/settings";
import { storage } from "@/lib/storage";

type TClaimedJob = Awaited<ReturnType<typeof prisma.exportJob.findUniqueOrThrow>>;

const PROGRESS_WRITE_INTERVAL_MS = 400;

/** Messages users may see: ours are written for them; anything unexpected becomes a generic one. */
function readableError(error: unknown, isExport: boolean) {
  if (error instanceof PermanentJobError) return error.message;
  if (error instanceof Error && error.name === "AppError") return error.message;

  return `${isExport ? "The export could not be produced" : "The job could not be completed"} because of an internal error. It was logged; try again or ask an administrator.`;
}

export async function runClaimedJob(job: TClaimedJob, workerId: string): Promise<"completed" | "retry" | "failed" | "lost"> {
  const meta = (job.requestMeta ?? null) as TRequestMeta | null;
  const workerMeta: TRequestMeta = { ...(meta ?? {}), via: "worker" };
  const controller = new AbortController();
  const stillOurs = { id: job.id, status: "PROCESSING" as const, leaseOwner: workerId };
  const definition = jobDefinitionOf(job.kind);
  const isExport = definition?.produces !== "nothing";
  const finished = { id: job.id, kind: job.kind, scheduledReportId: job.scheduledReportId, userId: job.userId };

  let lastProgressWrite = 0;
  let lastWrittenStage: string | undefined;
  let lastProgress: TJobProgress | null = null;
  const heartbeat = setInterval(async () => {
    const renewed = await prisma.exportJob.updateMany({ where: stillOurs, data: { leaseExpiresAt: new Date(Date.now() + LEASE_MS) } }).catch(() => ({ count: 1 }));
    if (renewed.count === 0) controller.abort(new LeaseLostError());
  }, LEASE_MS / 3);
  heartbeat.unref?.();

  let payload: unknown = null;
  const context: Omit<TJobContext, "payload"> = {
    job: { ...job, requestMeta: meta },
    signal: controller.signal,
    async reportProgress(progress) {
      lastProgress = progress;
      const now = Date.now();
      // A new stage is always written: a long one (the release scan) reports nothing while it runs,
      // and a dropped change would leave the page naming the stage before it.
      if (now - lastProgressWrite < PROGRESS_WRITE_INTERVAL_MS && progress.percent < 100 && progress.stage === lastWrittenStage) return;
      lastProgressWrite = now;
      lastWrittenStage = progress.stage;
      const updated = await prisma.exportJob.updateMany({
        where: stillOurs,
        data: { progress: progress as never, progressPercent: Math.min(99, Math.floor(progress.percent)), leaseExpiresAt: new Date(now + LEASE_MS) },
      });
      if (updated.count === 0) controller.abort(new LeaseLostError());
    },
    async whileLeased(work) {
      return prisma.$transaction(async (tx) => {
        // On PostgreSQL this row stays locked until the commit, so no claim can take the job in between.
        const held = await tx.exportJob.updateMany({ where: stillOurs, data: { leaseExpiresAt: new Date(Date.now() + LEASE_MS) } });
        if (held.count === 0) {
          controller.abort(new LeaseLostError());
          throw new LeaseLostError();
        }
        return work(tx);
      });
    },
  };

  let fileKey: string | null = null;
  try {
    if (!definition) throw new PermanentJobError(`Unknown job kind "${job.kind}"`);
    if (job.attempts > job.maxAttempts) throw new PermanentJobError(`The ${isExport ? "export" : "job"} was interrupted or failed ${job.maxAttempts} times and was given up.`);
    payload = payloadAtClaim(definition, job);

    if (definition.produces === "nothing") {
      await (await definition.loadHandler())({ ...context, payload });
      if (controller.signal.aborted) throw controller.signal.reason;
      const completed = await prisma.$transaction(async (tx) => {
        const updated = await tx.exportJob.updateMany({
          where: stillOurs,
          data: { status: "COMPLETED", progressPercent: 100, progress: { ...(lastProgress ?? {}), percent: 100, stage: "done" } as never, completedAt: new Date(), leaseOwner: null, leaseExpiresAt: null, errorMessage: null },
        });
        if (updated.count === 0) return false;
        await runJobFinishedHooks(tx, { ...finished, status: "COMPLETED" });

        return true;
      });

      return completed ? "completed" : "lost";
    }

    const output: TJobOutput = await (await definition.loadHandler())({ ...context, payload });
    if (controller.signal.aborted) throw controller.signal.reason;
    // Per attempt: a stale worker that lost its lease can never overwrite (or, on its way out,
    // delete) the file of the attempt that took over.
    fileKey = `${job.userId}/${job.id}/${job.attempts}/${output.fileName}`;
    const stored = await storage().put(fileKey, output.body);
    if (output.verify) await output.verify(() => storage().get(fileKey!));

    const settings = await getSettings();
    const completedAt = new Date();
    const completed = await prisma.$transaction(async (tx) => {
      const updated = await tx.exportJob.updateMany({
        where: stillOurs,
        data: {
          status: "COMPLETED",
          fileKey,
          fileName: output.fileName,
          mimeType: output.mimeType,
          fileSize: stored.size,
          checksum: stored.checksum,
          progressPercent: 100,
          progress: { ...(lastProgress ?? {}), percent: 100, stage: "done" } as never,
          completedAt,
          expiresAt: new Date(completedAt.getTime() + settings.file_expiry_days * 86_400_000),
          leaseOwner: null,
          leaseExpiresAt: null,
          errorMessage: null,
        },
      });
      if (updated.count === 0) return false;
      await recordAudit(tx, {
        action: "export_completed",
        userId: job.userId,
        exportJobId: job.id,
        patientId: job.patientId,
        templateId: job.templateId,
        scheduleId: job.scheduledReportId,
        metadata: { kind: job.kind, exportType: job.exportType, format: job.format, size: stored.size, sha256: stored.checksum, attempts: job.attempts, ...(output.auditDetails ?? {}) },
        meta: workerMeta,
      });
      await runJobFinishedHooks(tx, { ...finished, status: "COMPLETED" });

      return true;
    });
    if (!completed) {
      // Cancelled (or taken over) while we worked: the files must not outlive the job.
      await deleteJobFiles({ kind: job.kind, fileKey });
      return "lost";
    }
    notifyJobQueued();

    return "completed";
  } catch (error) {
    if (fileKey) await deleteJobFiles({ kind: job.kind, fileKey }).catch(() => undefined);
    if (error instanceof LeaseLostError) return "lost";
    const isPermanent = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
    const message = readableError(error, isExport);
    if (!(error instanceof PermanentJobError)) logger.error("job attempt failed", { jobId: job.id, kind: job.kind, attempt: job.attempts, error });

    if (!isPermanent) {
      const retried = await prisma.exportJob.updateMany({
        where: stillOurs,
        data: { status: "PENDING", runAfter: new Date(Date.now() + definition!.retry.backoffMs(job.attempts)), leaseOwner: null, leaseExpiresAt: null, errorMessage: message, progress: { percent: 0, stage: "waiting to retry" } },
      });
      return retried.count ? "retry" : "lost";
    }

    const failed = await prisma.$transaction(async (tx) => {
      const updated = await tx.exportJob.updateMany({
        where: stillOurs,
        data: { status: "FAILED", errorMessage: message, leaseOwner: null, leaseExpiresAt: null, completedAt: new Date() },
      });
      if (updated.count === 0) return false;
      await recordFailure(tx, definition, job, { payload, message, error, workerMeta });
      await runJobFinishedHooks(tx, { ...finished, status: "FAILED" });

      return true;
    });
    if (failed) notifyJobQueued();

    return failed ? "failed" : "lost";
  } finally {
    clearInterval(heartbeat);
  }
}

/** An export's failure is audited export_failed; a task kind records and audits its own (a delivery: on the run). */
async function recordFailure(tx: TTx, definition: TJobDefinition | null, job: TClaimedJob, failure: { payload: unknown; message: string; error: unknown; workerMeta: TRequestMeta }) {
  if (definition?.produces === "nothing") {
    await definition.onFailed(tx, { job, payload: failure.payload, message: failure.message });
    return;
  }
  await recordAudit(tx, {
    action: "export_failed",
    outcome: "failure",
    userId: job.userId,
    exportJobId: job.id,
    patientId: job.patientId ?? (failure.error instanceof PermanentJobError ? failure.error.patientId : undefined) ?? null,
    templateId: job.templateId,
    scheduleId: job.scheduledReportId,
    metadata: { kind: job.kind, exportType: job.exportType, format: job.format, attempts: job.attempts, error: failure.message },
    meta: failure.workerMeta,
  });
}
