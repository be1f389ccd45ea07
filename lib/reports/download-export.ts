import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { loadActiveActor } from "@/lib/auth/actor";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { verifyDownloadLink } from "@/lib/jobs/download-link";
import { getJobForDownloadOrThrow } from "@/lib/jobs/job-access";
import { serveJobFile } from "@/lib/jobs/serve-download";

export type TDownloadAsActorOptions = {
  /** Serve only jobs of this kind (a path that names the kind); another job answers 404. */
  kind?: "report" | "dataset";
  /** Open in the browser (PDF) rather than save. */
  isInline?: boolean;
};

/** Download by session or API token: the owner while they may still have the file, or an admin. */
export async function downloadExportAsActor(actor: TActor, jobId: string, via: "session" | "token", meta?: TRequestMeta | null, options: TDownloadAsActorOptions = {}) {
  const job = await getJobForDownloadOrThrow(actor, jobId, { via, meta });
  if (options.kind && job.kind !== options.kind) throw new AppError("NOT_FOUND", "Not found");

  return serveJobFile(job, { userId: actor.id, via }, meta, options.isInline);
}

/**
 * Download by signed link, without a session. A tampered or expired link is a 403 (audited),
 * checked before the job is even looked up. Then the link is worth what its owner's access is
 * worth today: a disabled owner, or one the policy would no longer let download the file (and
 * any dataset: those need a sign-in), ends it, each refusal audited.
 */
export async function downloadExportBySignedLink(jobId: string, expires: string | null, signature: string | null, meta?: TRequestMeta | null) {
  const check = verifyDownloadLink(jobId, expires, signature);
  if (!check.ok) {
    await recordAudit(null, { action: "access_denied", outcome: "denied", actorLabel: "signed-link", metadata: { policyAction: "job.download-link", reason: check.reason, status: 403 }, meta });
    throw new AppError("FORBIDDEN", check.reason === "expired" ? "This download link has expired" : "This download link is not valid");
  }
  const job = await prisma.exportJob.findUnique({ where: { id: jobId }, select: { userId: true, patientId: true } });
  if (!job) throw new AppError("NOT_FOUND", "Not found");
  const owner = await loadActiveActor(job.userId);
  if (!owner) {
    await recordAudit(null, {
      action: "access_denied",
      outcome: "denied",
      userId: job.userId,
      actorLabel: "signed-link",
      exportJobId: jobId,
      patientId: job.patientId,
      metadata: { policyAction: "job.download-link", reason: "the link's owner is disabled", status: 403 },
      meta,
    });
    throw new AppError("FORBIDDEN", "This download link is no longer valid");
  }
  const allowed = await getJobForDownloadOrThrow(owner, jobId, { via: "signed-link", meta, actorLabel: "signed-link" });

  return serveJobFile(allowed, { userId: null, via: "signed-link" }, meta);
}
