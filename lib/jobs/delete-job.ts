import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { getJobForActorOrThrow } from "@/lib/jobs/job-access";
import { deleteJobFiles } from "@/lib/jobs/delete-job-files";

/**
 * Removes a job and its file. A job still running is cancelled: its worker notices at its next
 * heartbeat or progress write and discards what it made.
 */
export async function deleteJob(actor: TActor, jobId: string, meta?: TRequestMeta | null) {
  const job = await getJobForActorOrThrow(actor, jobId, "job.delete", meta);
  await prisma.$transaction(async (tx) => {
    await recordAudit(tx, {
      action: "deleted",
      userId: actor.id,
      exportJobId: job.id,
      patientId: job.patientId,
      metadata: { kind: job.kind, exportType: job.exportType, status: job.status, ownerId: job.userId },
      meta,
    });
    await tx.scheduleRun.updateMany({ where: { jobId: job.id }, data: { jobId: null } });
    // A FHIR source's sync run of this job ends here, not at the source's next sync (no job-finished hook runs for a removed job).
    await tx.fhirSourceSync.updateMany({
      where: { jobId: job.id, status: { in: ["queued", "running"] } },
      data: { status: "failed", completedAt: new Date(), error: "the sync's job was removed before it finished" },
    });
    await tx.exportJob.delete({ where: { id: job.id } });
  });
  await deleteJobFiles(job);
}
