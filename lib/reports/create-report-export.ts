// Queues one report export: the five POST endpoints and the scheduler call this. Everything is
// checked before anything is written, and the job and its export_created record are written in
// one transaction, so a refused request leaves nothing queued.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { enqueueJob, notifyJobQueued } from "@/lib/jobs/enqueue-job";
import { isPatientAssigned } from "@/lib/patients/patient-scope";
import { resolveSessionIds } from "@/lib/reports/build-report-context";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { parseReportRequest, type TReportRequest } from "@/lib/reports/report-requests";

export type TCreateReportExportInput = { exportType: TReportExportType; body: unknown };

export type TCreateReportExportOptions = { meta?: TRequestMeta | null; scheduledReportId?: string | null };

/**
 * The 202 answer, in the product spec's shape: `status` is "processing" there, meaning accepted
 * and under way. The job itself reports "pending" (GET /api/v1/export/jobs/{id}) until a worker
 * takes it; clients poll until completed, failed, cancelled or expired.
 */
export type TCreatedReportExport = { job_id: string; status: "processing"; estimated_completion: string };

/** Rough: a document takes a few seconds; a ZIP of notes a little more per session. */
function estimateSeconds(request: TReportRequest) {
  if (request.export_type === "session_notes") return 5 + request.session_ids.length;
  return request.export_type === "full_record" ? 15 : 8;
}

/** Same refusal as authorize: a missing patient or session is indistinguishable from someone else's. */
export async function assertMayExportPatient(actor: TActor, patientId: string, meta: TRequestMeta | null | undefined) {
  const exists = await prisma.patient.findUnique({ where: { id: patientId }, select: { id: true } });
  const isAssigned = exists ? await isPatientAssigned(prisma, actor, patientId) : false;
  await authorize(actor, { action: "report.export", isAssigned }, { meta, patientId: exists ? patientId : null });
  if (!exists) throw new AppError("NOT_FOUND", "Not found");
}

/** The patient the job is about (null for a ZIP of several patients' notes, each checked here). */
export async function checkAccess(actor: TActor, request: TReportRequest, meta: TRequestMeta | null | undefined): Promise<string | null> {
  if (request.export_type !== "session_notes") {
    await assertMayExportPatient(actor, request.patient_id, meta);
    if (request.export_type === "treatment_summary" && request.treatment_plan_id) {
      const plan = await prisma.treatmentPlan.findUnique({ where: { id: request.treatment_plan_id }, select: { patientId: true } });
      if (!plan || plan.patientId !== request.patient_id) {
        throw new AppError("NOT_FOUND", "Treatment plan not found for this patient", { issues: [{ path: "treatment_plan_id", message: "not found for this patient" }] });
      }
    }
    return request.patient_id;
  }

  const { found, missing } = await resolveSessionIds(prisma, request.session_ids);
  const patientIds = [...new Set(found.map((session) => session.patientId))];
  // Access first: a foreign session answers exactly like a missing one.
  for (const patientId of patientIds) await assertMayExportPatient(actor, patientId, meta);
  if (missing.length) {
    throw new AppError("NOT_FOUND", "Not found", { issues: [{ path: "session_ids", message: `${missing.length} session(s) not found` }] });
  }
  if (patientIds.length > 1 && request.batch !== "zip") {
    throw new AppError("INVALID_INPUT", "batch: one document holds one patient's sessions; use batch \"zip\" for several patients", {
      issues: [{ path: "batch", message: "sessions of several patients need batch \"zip\"" }],
    });
  }

  return patientIds.length === 1 ? patientIds[0]! : null;
}

/**
 * An unknown or archived template is a 404; one made for another export type is a 400. Without
 * one, a document export is pinned now to the current system template version, so the job renders
 * what was current when it was asked for even if an admin saves a new version meanwhile.
 */
export async function checkTemplate(request: TReportRequest) {
  const templateId = request.template_id;
  if (!templateId) {
    if (request.format !== "pdf" && request.format !== "docx") return null;
    const { resolveTemplateForExport } = await import("@/lib/templates/template-service");
    return (await resolveTemplateForExport(request.export_type, request.format)).id;
  }
  const template = await prisma.exportTemplate.findUnique({ where: { id: templateId }, select: { id: true, exportType: true, isArchived: true } });
  if (!template || template.isArchived) throw new AppError("NOT_FOUND", "Template not found", { issues: [{ path: "template_id", message: "not found" }] });
  if (template.exportType !== request.export_type) {
    throw new AppError("INVALID_INPUT", `template_id: the template is for ${template.exportType}, not ${request.export_type}`, {
      issues: [{ path: "template_id", message: `is a ${template.exportType} template` }],
    });
  }

  return template.id;
}

/** Facts for the audit trail: what was asked and which redaction applied. Ids and switches only, never PHI. */
function auditDetailsOf(request: TReportRequest) {
  return {
    options: request.options,
    ...("include_sections" in request ? { includeSections: request.include_sections } : {}),
    ...(request.export_type === "treatment_summary" ? { purpose: request.purpose } : {}),
    ...(request.export_type === "session_notes" ? { batch: request.batch, sessionCount: request.session_ids.length } : {}),
  };
}

export async function createReportExport(actor: TActor, input: TCreateReportExportInput, options: TCreateReportExportOptions = {}): Promise<TCreatedReportExport> {
  const request = parseReportRequest(input.exportType, input.body);
  const patientId = await checkAccess(actor, request, options.meta);
  const templateId = await checkTemplate(request);

  const job = await prisma.$transaction((tx) =>
    enqueueJob(tx, {
      kind: "report",
      exportType: request.export_type,
      format: request.format,
      userId: actor.id,
      patientId,
      templateId,
      scheduledReportId: options.scheduledReportId ?? null,
      payload: request,
      meta: options.meta ?? null,
      auditDetails: auditDetailsOf(request),
    }),
  );
  notifyJobQueued();

  return { job_id: job.id, status: "processing", estimated_completion: new Date(job.createdAt.getTime() + estimateSeconds(request) * 1000).toISOString() };
}
