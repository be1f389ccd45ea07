// Job-finished hook (inside the transaction that ends the job): a fhir_sync job that failed for
// good or was given up marks its run failed.
// A succeeded run was already recorded inside its import's transaction.
import type { TTx } from "@/lib/db/client";
import type { TFinishedJob } from "@/lib/jobs/job-types";

export async function onFhirSyncJobFinished(tx: TTx, job: TFinishedJob) {
  if (job.kind !== "fhir_sync" || job.status !== "FAILED") return;
  const row = await tx.exportJob.findUnique({ where: { id: job.id }, select: { errorMessage: true } });
  const open = { jobId: job.id, status: { in: ["queued", "running"] } };
  // The handler's own reason (the source's status, the refused field) is more precise than the
  // job's message, which for a transient fault is generic: keep it when there is one.
  await tx.fhirSourceSync.updateMany({ where: { ...open, error: null }, data: { error: row?.errorMessage?.slice(0, 1000) ?? "failed" } });
  await tx.fhirSourceSync.updateMany({ where: open, data: { status: "failed", completedAt: new Date() } });
}
