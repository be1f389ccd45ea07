// Runs one claimed job: handler -> encrypted storage -> checksum -> verify -> completed.
// A failure is retried with backoff until maxAttempts, then the job fails with a readable
// error. Every ending is audited in the requester's name.
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { LEASE_MS } from "@/lib/jobs/claim-job";
import { deleteJobFiles } from "@/lib/jobs/delete-job-files";
import { runJobFinishedHooks } from "@/lib/jobs/job-finished-hooks";
import { PermanentJobError, type TJobContext, type TJobProgress } from "@/lib/jobs/job-types";
import { handlerFor } from "@/lib/jobs/registry";
import { logger } from "@/lib/logger";
import { getSettings } from "@/lib/settings/settings";
import { storage } from "@/lib/storage";

type TClaimedJob = Awaited<ReturnType<typeof prisma.exportJob.findUniqueOrThrow>>;

const BACKOFF_BASE_MS = 5_000;
const PROGRESS_WRITE_INTERVAL_MS = 400;

export function retryDelayMs(attempt: number) {
  return BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1);
}

/** Messages users may see: ours are written for them; anything unexpected becomes a generic one. */
function readableError(error: unknown) {
  if (error instanceof PermanentJobError) return error.message;
  if (error instanceof Error && error.name === "AppError") return error.message;

  return "The export could not be produced because of an internal error. It was logged; try again or ask an administrator.";
}

export async function runClaimedJob(job: TClaimedJob, workerId: string): Promise<"completed" | "retry" | "failed" | "lost"> {
  const meta = (job.requestMeta ?? null) as TRequestMeta | null;
  const workerMeta: TRequestMeta = { ...(meta ?? {}), via: "worker" };
  const controller = new AbortController();
  const stillOurs = { id: job.id, status: "PROCESSING" as const, leaseOwner: workerId };

  let lastProgressWrite = 0;
  let lastWrittenStage: string | undefined;
  let lastProgress: TJobProgress | null = null;
  const heartbeat = setInterval(async () => {
    const renewed = await prisma.exportJob.updateMany({ where: stillOurs, data: { leaseExpiresAt: new Date(Date.now() + LEASE_MS) } }).catch(() => ({ count: 1 }));
    if (renewed.count === 0) controller.abort(new Error("lease lost or job cancelled"));
  }, LEASE_MS / 3);
  heartbeat.unref?.();

  const context: TJobContext = {
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
      if (updated.count === 0) controller.abort(new Error("lease lost or job cancelled"));
    },
  };

  let fileKey: string | null = null;
  try {
    if (job.attempts > job.maxAttempts) throw new PermanentJobError("The export failed repeatedly and was given up.");
    const handler = await handlerFor(job.kind);
    if (!handler) throw new PermanentJobError(`Unknown job kind "${job.kind}"`);

    const output = await handler(context);
    if (controller.signal.aborted) throw controller.signal.reason;
    // Per attempt: a stale worker that lost its lease can never overwrite (or, on its way out,
    // delete) the file of the attempt that took over.
    fileKey = `${job.userId}/${job.id}/${job.attempts}/${output.fileName}`;
    const stored = await storage().put(fileKey, output.body);
    if (output.verify) await output.verify(() => storage().get(fileKey!));

    const settings = await getSettings();
    const completedAt = new Date();
    const finished = await prisma.$transaction(async (tx) => {
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

      return true;
    });
    if (!finished) {
      // Cancelled (or taken over) while we worked: the files must not outlive the job.
      await deleteJobFiles({ kind: job.kind, fileKey });
      return "lost";
    }
    await runJobFinishedHooks({ id: job.id, status: "COMPLETED", scheduledReportId: job.scheduledReportId, userId: job.userId });

    return "completed";
  } catch (error) {
    if (fileKey) await deleteJobFiles({ kind: job.kind, fileKey }).catch(() => undefined);
    const isPermanent = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
    const message = readableError(error);
    if (!(error instanceof PermanentJobError)) logger.error("job attempt failed", { jobId: job.id, attempt: job.attempts, error });

    if (!isPermanent) {
      const retried = await prisma.exportJob.updateMany({
        where: stillOurs,
        data: { status: "PENDING", runAfter: new Date(Date.now() + retryDelayMs(job.attempts)), leaseOwner: null, leaseExpiresAt: null, errorMessage: message, progress: { percent: 0, stage: "waiting to retry" } },
      });
      return retried.count ? "retry" : "lost";
    }

    const failed = await prisma.$transaction(async (tx) => {
      const updated = await tx.exportJob.updateMany({
        where: stillOurs,
        data: { status: "FAILED", errorMessage: message, leaseOwner: null, leaseExpiresAt: null, completedAt: new Date() },
      });
      if (updated.count === 0) return false;
      await recordAudit(tx, {
        action: "export_failed",
        outcome: "failure",
        userId: job.userId,
        exportJobId: job.id,
        patientId: job.patientId ?? (error instanceof PermanentJobError ? error.patientId : undefined) ?? null,
        templateId: job.templateId,
        scheduleId: job.scheduledReportId,
        metadata: { kind: job.kind, exportType: job.exportType, format: job.format, attempts: job.attempts, error: message },
        meta: workerMeta,
      });

      return true;
    });

    if (failed) await runJobFinishedHooks({ id: job.id, status: "FAILED", scheduledReportId: job.scheduledReportId, userId: job.userId });

    return failed ? "failed" : "lost";
  } finally {
    clearInterval(heartbeat);
  }
}
