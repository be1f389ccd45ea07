import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor, TDatasetTier, TDownloadVia, TJobFileFacts } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { EXPORT_JOB_KINDS } from "@/lib/jobs/registry";
import { isPatientAssigned } from "@/lib/patients/patient-scope";
import { batchJobPatientIds } from "@/lib/reports/batch-report-patients";
import { resolveSessionIds } from "@/lib/reports/build-report-context";

type TJobRow = Awaited<ReturnType<typeof prisma.exportJob.findUniqueOrThrow>>;

const DATASET_TIERS: readonly TDatasetTier[] = ["anon", "pii", "metrics"];

/** An export job by id; a task (a scheduled run's delivery job) is no export anyone opens or downloads: not found. */
async function findExportJob(jobId: string) {
  const job = await prisma.exportJob.findUnique({ where: { id: jobId } });

  return job && (EXPORT_JOB_KINDS as readonly string[]).includes(job.kind) ? job : null;
}

/**
 * A job the actor may see (own, or any for admins); foreign and missing are the same 404. Reading
 * re-checks today's facts (a report job's patients still assigned), since the view names the
 * patient; deleting one's own job needs no such check.
 */
export async function getJobForActorOrThrow(actor: TActor, jobId: string, action: "job.read" | "job.delete", meta?: TRequestMeta | null) {
  const job = await findExportJob(jobId);
  const ownerId = job?.userId ?? "";
  if (action === "job.read") {
    const file: TJobFileFacts = job ? await fileFactsOf(actor, job) : { kind: "report", isAssigned: false };
    await authorize(actor, { action, ownerId, file }, { meta, exportJobId: job ? jobId : null, patientId: job?.patientId ?? null });
  } else {
    await authorize(actor, { action, ownerId }, { meta, exportJobId: job ? jobId : null });
  }
  if (!job) throw new AppError("NOT_FOUND", "Not found");

  return job;
}

/** The patients a report's file is about: its patient, for a ZIP of notes those of its sessions, for a batch those it holds. */
async function reportPatientIds(job: TJobRow): Promise<string[] | null> {
  if (job.kind === "report_batch") return batchJobPatientIds(prisma, job.id);
  if (job.patientId) return [job.patientId];
  const sessionIds = (job.parameters as { session_ids?: unknown } | null)?.session_ids;
  if (!Array.isArray(sessionIds) || !sessionIds.every((id): id is string => typeof id === "string")) return null;
  const { found, missing } = await resolveSessionIds(prisma, sessionIds);
  // A session gone since the export leaves a patient in the file we can no longer name: refuse.
  if (missing.length) return null;

  return [...new Set(found.map((session) => session.patientId))];
}

/**
 * Today's facts about the job's file, for the actor. Anything unreadable is taken at its
 * strictest (no patients known = not assigned; an unknown tier or kind = the identified tier).
 */
async function fileFactsOf(actor: TActor, job: TJobRow): Promise<TJobFileFacts> {
  if (job.kind === "report" || job.kind === "report_batch") {
    const patientIds = await reportPatientIds(job);
    // A batch that holds no patient (every one skipped: it failed, with no file) names nobody: its owner may read why.
    if (job.kind === "report_batch" && patientIds?.length === 0) return { kind: "report", isAssigned: true };
    if (!patientIds?.length) return { kind: "report", isAssigned: false };
    const assigned = await Promise.all(patientIds.map((patientId) => isPatientAssigned(prisma, actor, patientId)));

    return { kind: "report", isAssigned: assigned.every(Boolean) };
  }
  const tier = (job.parameters as { tier?: unknown } | null)?.tier;

  return { kind: "dataset", tier: DATASET_TIERS.includes(tier as TDatasetTier) ? (tier as TDatasetTier) : "pii" };
}

export type TJobDownloadOptions = {
  via: TDownloadVia;
  meta?: TRequestMeta | null;
  /** "signed-link" when `actor` is the link's owner rather than the person asking. */
  actorLabel?: string | null;
};

/**
 * A job whose file the actor may download now. The export's own questions are asked again with
 * today's facts (policy `job.download`): a patient unassigned, a grant withdrawn or a role
 * changed since the export ends the downloads too. Foreign and missing are the same 404.
 */
export async function getJobForDownloadOrThrow(actor: TActor, jobId: string, options: TJobDownloadOptions) {
  const job = await findExportJob(jobId);
  const file: TJobFileFacts = job ? await fileFactsOf(actor, job) : { kind: "report", isAssigned: false };
  await authorize(
    actor,
    { action: "job.download", ownerId: job?.userId ?? "", via: options.via, file },
    {
      meta: options.meta,
      actorLabel: options.actorLabel,
      exportJobId: job ? jobId : null,
      patientId: job?.patientId ?? null,
      dataset: file.kind === "dataset" ? file.tier : null,
    },
  );
  if (!job) throw new AppError("NOT_FOUND", "Not found");

  return job;
}
