// Queues one batch report job (kind report_batch): the batch endpoint and practice-wide schedules
// call this. As for a single export, everything is checked before anything is written, and the
// job, its patients and its export_created record are written in one transaction.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { enqueueJob, notifyJobQueued } from "@/lib/jobs/enqueue-job";
import { resolveBatchPatients } from "@/lib/reports/batch-report-patients";
import { MAX_COMBINED_PATIENTS, parseBatchReportRequest, patientReportRequest, type TBatchReportRequest } from "@/lib/reports/batch-report-request";
import { checkTemplate } from "@/lib/reports/create-report-export";

export const BATCH_JOB_KIND = "report_batch" as const;

export type TCreatedBatchReportExport = { job_id: string; status: "processing"; estimated_completion: string; patient_count: number };

/** What a batch job stores in `parameters`: the validated request, as its handler runs it. */
export type TBatchJobParameters = TBatchReportRequest;

export async function createBatchReportExport(
  actor: TActor,
  body: unknown,
  options: { meta?: TRequestMeta | null; scheduledReportId?: string | null } = {},
): Promise<TCreatedBatchReportExport> {
  const request = parseBatchReportRequest(body);
  const patientIds = await resolveBatchPatients(actor, request.selection, options.meta);
  if (request.selection.combined && patientIds.length > MAX_COMBINED_PATIENTS) {
    throw new AppError("INVALID_INPUT", `combined: a combined PDF holds at most ${MAX_COMBINED_PATIENTS} patients and this selection has ${patientIds.length}; ask for a ZIP`, {
      issues: [{ path: "combined", message: `at most ${MAX_COMBINED_PATIENTS} patients in one PDF (the selection has ${patientIds.length})` }],
    });
  }
  // The template is checked (and pinned) as for a single report of this type.
  const templateId = await checkTemplate(patientReportRequest(request.report, patientIds[0]!));
  const parameters: TBatchJobParameters = request;

  const job = await prisma.$transaction(async (tx) => {
    const created = await enqueueJob(tx, {
      kind: BATCH_JOB_KIND,
      exportType: request.report.export_type,
      format: request.report.format,
      userId: actor.id,
      // One patient's batch is still about that patient (its records and file name say so).
      patientId: patientIds.length === 1 ? patientIds[0]! : null,
      templateId,
      scheduledReportId: options.scheduledReportId ?? null,
      payload: parameters,
      meta: options.meta ?? null,
      auditDetails: {
        batch: { scope: request.selection.scope, patients: patientIds.length, combined: request.selection.combined, ...(request.selection.organization_id ? { organizationId: request.selection.organization_id } : {}) },
        options: request.report.options,
      },
    });
    await tx.exportJobPatient.createMany({ data: patientIds.map((patientId, position) => ({ jobId: created.id, patientId, position })) });

    return created;
  });
  notifyJobQueued();

  // Rough: a few seconds per patient's document.
  const seconds = 5 + 3 * patientIds.length;
  return { job_id: job.id, status: "processing", estimated_completion: new Date(job.createdAt.getTime() + seconds * 1000).toISOString(), patient_count: patientIds.length };
}
