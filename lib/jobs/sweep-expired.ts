import { recordAudit } from "@/lib/audit/record";
import { prisma } from "@/lib/db/client";
import { deleteJobFiles } from "@/lib/jobs/delete-job-files";

/** Deletes files past their expiry and marks their jobs expired, one audited record each. */
export async function sweepExpiredFiles(now = new Date()) {
  const due = await prisma.exportJob.findMany({ where: { status: "COMPLETED", expiresAt: { lte: now } }, take: 500, select: { id: true, kind: true, fileKey: true, userId: true, patientId: true } });
  let count = 0;
  for (const job of due) {
    const changed = await prisma.$transaction(async (tx) => {
      const updated = await tx.exportJob.updateMany({ where: { id: job.id, status: "COMPLETED" }, data: { status: "EXPIRED", fileKey: null } });
      if (updated.count === 0) return false;
      await recordAudit(tx, { action: "expired", userId: job.userId, actorLabel: "sweeper", exportJobId: job.id, patientId: job.patientId, meta: { via: "sweeper" } });

      return true;
    });
    if (changed) await deleteJobFiles(job);
    if (changed) count++;
  }

  return count;
}
