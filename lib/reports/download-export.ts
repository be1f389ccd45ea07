import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { loadActiveActor } from "@/lib/auth/actor";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { verifyDownloadLink } from "@/lib/jobs/download-link";
import { getJobForActorOrThrow } from "@/lib/jobs/job-access";
import { serveJobFile } from "@/lib/jobs/serve-download";

/** Download by session or API token: the job's owner, or an admin. */
export async function downloadExportAsActor(actor: TActor, jobId: string, via: "session" | "token", meta?: TRequestMeta | null) {
  const job = await getJobForActorOrThrow(actor, jobId, "job.read", meta);

  return serveJobFile(job, { userId: actor.id, via }, meta);
}

/**
 * Download by signed link, without a session. A tampered or expired link is a 403 (audited),
 * checked before the job is even looked up; a link of a disabled owner no longer works either.
 */
export async function downloadExportBySignedLink(jobId: string, expires: string | null, signature: string | null, meta?: TRequestMeta | null) {
  const check = verifyDownloadLink(jobId, expires, signature);
  if (!check.ok) {
    await recordAudit(null, { action: "access_denied", outcome: "denied", actorLabel: "signed-link", metadata: { policyAction: "job.download-link", reason: check.reason, status: 403 }, meta });
    throw new AppError("FORBIDDEN", check.reason === "expired" ? "This download link has expired" : "This download link is not valid");
  }
  const job = await prisma.exportJob.findUnique({ where: { id: jobId } });
  if (!job) throw new AppError("NOT_FOUND", "Not found");
  if (!(await loadActiveActor(job.userId))) throw new AppError("FORBIDDEN", "This download link is no longer valid");

  return serveJobFile(job, { userId: null, via: "signed-link" }, meta);
}
