// Queues one sync run of a FHIR source: the run record and its job (kind fhir_sync) in one
// transaction, audited export_created by the job system. One run per source at a time: a second
// request while one is queued or running is a 409 (the scheduler skips the slot instead).
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { FHIR_SYNC_JOB_KIND, type TFhirSyncParameters } from "@/lib/fhir/sources/fhir-sync-types";
import { getFhirSourceOrThrow, syncDto } from "@/lib/fhir/sources/fhir-sources";
import { enqueueJob, notifyJobQueued } from "@/lib/jobs/enqueue-job";

export const OPEN_SYNC_STATUSES = ["queued", "running"];

export class SyncAlreadyRunningError extends AppError {
  constructor(name: string) {
    super("CONFLICT", `A sync of "${name}" is already queued or running; wait for it to finish`);
  }
}

export async function startFhirSync(actor: TActor, sourceId: string, trigger: "manual" | "scheduled", meta?: TRequestMeta) {
  await authorize(actor, { action: "fhir-source.manage" }, { meta });
  const source = await getFhirSourceOrThrow(sourceId);

  const sync = await prisma.$transaction(async (tx) => {
    // Inside the transaction: two requests at once cannot both see "none open" and both queue
    // (SQLite serializes writers; on PostgreSQL the source row's lock orders them).
    await tx.fhirSource.update({ where: { id: source.id }, data: { updatedAt: new Date() } });
    const open = await tx.fhirSourceSync.findMany({ where: { sourceId: source.id, status: { in: OPEN_SYNC_STATUSES } }, select: { id: true, jobId: true } });
    for (const run of open) {
      const job = run.jobId ? await tx.exportJob.findUnique({ where: { id: run.jobId }, select: { status: true } }) : null;
      if (job && (job.status === "PENDING" || job.status === "PROCESSING")) throw new SyncAlreadyRunningError(source.name);
      // Its job was cancelled or deleted (no finished hook runs for those): the run ended unfinished.
      await tx.fhirSourceSync.update({ where: { id: run.id }, data: { status: "failed", completedAt: new Date(), error: "the sync's job was cancelled or removed before it finished" } });
    }
    const run = await tx.fhirSourceSync.create({ data: { sourceId: source.id, status: "queued", trigger } });
    const parameters: TFhirSyncParameters = { fhirSourceId: source.id, syncId: run.id };
    const job = await enqueueJob(tx, {
      kind: FHIR_SYNC_JOB_KIND,
      exportType: FHIR_SYNC_JOB_KIND,
      format: "json",
      userId: actor.id,
      payload: parameters,
      meta,
      auditDetails: { fhirSourceId: source.id, source: source.name, trigger },
    });

    return tx.fhirSourceSync.update({ where: { id: run.id }, data: { jobId: job.id } });
  });
  notifyJobQueued();

  return syncDto(sync)!;
}
