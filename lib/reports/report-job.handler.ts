// Runs a queued report job: re-checks access (an assignment may have ended since it was queued),
// builds the context and writes the file in the asked format. Registered as kind "report".
import { loadActiveActor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { reportFileName } from "@/lib/delivery/storage-target";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors/app-error";
import { PermanentJobError, type TJobContext, type TJobHandler, type TJobOutput } from "@/lib/jobs/job-types";
import { isPatientAssigned } from "@/lib/patients/patient-scope";
import { buildReportContext, buildSessionNoteContext, resolveSessionIds } from "@/lib/reports/build-report-context";
import { writeReportCsv } from "@/lib/reports/formats/write-csv";
import { writeReportFhir } from "@/lib/reports/formats/write-fhir";
import { writeReportJson } from "@/lib/reports/formats/write-json";
import type { TReportContext, TReportExportType } from "@/lib/reports/report-context.types";
import { isReportExportType, type TReportFormat, type TReportRequest } from "@/lib/reports/report-requests";
import { zipFiles } from "@/lib/reports/zip-files";

export const MIME_TYPES: Record<TReportFormat, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  json: "application/json",
  csv: "text/csv; charset=utf-8",
  fhir: "application/fhir+json",
};

/** A FHIR Bundle is JSON too, but its name says which: `.fhir.json` beside a plain export's `.json`. */
export const EXTENSIONS: Record<TReportFormat, string> = { pdf: "pdf", docx: "docx", json: "json", csv: "csv", fhir: "fhir.json" };

export const TITLES: Record<TReportExportType, string> = {
  session_notes: "Session note",
  progress_report: "Progress report",
  treatment_summary: "Treatment summary",
  full_record: "Clinical record",
  insurance_report: "Insurance report",
};

/** The payload (validated by the runner against the report schema) must be of the job's own export type. */
function requestOf(job: TJobContext["job"], payload: TReportRequest): TReportRequest {
  if (!isReportExportType(job.exportType) || payload.export_type !== job.exportType) throw new PermanentJobError(`The job's report type "${job.exportType}" does not match its request.`);

  return payload;
}

async function assertStillAllowed(actor: TActor, patientId: string, job: TJobContext["job"]) {
  const isAssigned = await isPatientAssigned(prisma, actor, patientId);
  try {
    await authorize(actor, { action: "report.export", isAssigned }, { meta: job.requestMeta, patientId, exportJobId: job.id });
  } catch {
    throw new PermanentJobError("The requester no longer has access to this patient.");
  }
}

export const patientPseudonym = (patientId: string) => pseudonymize(env().ANON_KEY, "patient", patientId);

/** `progress_report_P-hbdfqrtmkcsnlgjp_2026-03-08.pdf`: the keyed pseudonym, never a name or MRN. */
export function reportFileNameFor(exportType: string, pseudonym: string, extension: string, at: Date | string) {
  return reportFileName(exportType, pseudonym, at, extension, env().PRACTICE_TIMEZONE);
}

/** Renders one context in `format`. PDF/DOCX go through the template (Liquid -> HTML -> document tree -> writer). */
export async function renderContext(context: TReportContext, format: TReportFormat, templateId: string | null, signal?: AbortSignal): Promise<{ body: Buffer; templateVersion?: number; templateId?: string }> {
  switch (format) {
    case "json":
      return { body: writeReportJson(context) };
    case "csv":
      return { body: writeReportCsv(context) };
    case "fhir":
      return { body: writeReportFhir(context) };
    case "pdf":
    case "docx": {
      // Loaded only for documents: the template engine and the PDF/DOCX writers are heavy.
      const [{ resolveTemplateForExport }, { renderTemplateDocumentInPool }, { ComputeLimitError }] = await Promise.all([
        import("@/lib/templates/template-service"),
        import("@/lib/render/render-document-in-pool"),
        import("@/lib/compute/compute-pool"),
      ]);
      const template = await resolveTemplateForExport(context.export_type, format, templateId ?? undefined);
      try {
        // Liquid and layout in the compute pool (lib/compute), within the report's time and memory limits.
        const timeoutMs = env().REPORT_RENDER_SECONDS * 1000;
        const body = await renderTemplateDocumentInPool(template.content, context, format, { title: TITLES[context.export_type] }, { timeoutMs, signal });
        return { body, templateId: template.id, templateVersion: template.version };
      } catch (error) {
        // A template that cannot render this report, or a document over the limits, fails the same way on every attempt.
        if (error instanceof AppError) throw new PermanentJobError(`The template could not be rendered: ${error.message}`);
        if (error instanceof ComputeLimitError) throw new PermanentJobError(error.message);
        throw error;
      }
    }
  }
}

export const handleReportJob: TJobHandler<TReportRequest> = async ({ job, payload, reportProgress, signal }): Promise<TJobOutput> => {
  const request = requestOf(job, payload);
  const actor = await loadActiveActor(job.userId);
  if (!actor) throw new PermanentJobError("The requester's account is disabled or gone.");
  const format = request.format;
  const at = new Date();

  await reportProgress({ percent: 5, stage: "loading" });

  if (request.export_type === "session_notes") {
    const { found, missing } = await resolveSessionIds(prisma, request.session_ids);
    if (missing.length) throw new PermanentJobError(`${missing.length} session(s) no longer exist.`);
    for (const patientId of new Set(found.map((session) => session.patientId))) await assertStillAllowed(actor, patientId, job);

    if (request.batch === "zip") {
      const files: { name: string; body: Buffer }[] = [];
      let templateVersion: number | undefined;
      for (const [index, session] of found.entries()) {
        if (signal.aborted) throw new PermanentJobError("The export was cancelled.");
        const context = await buildSessionNoteContext(request, session.requestedId, session.patientId, { userId: actor.id, now: at });
        const rendered = await renderContext(context, format, job.templateId, signal);
        templateVersion = rendered.templateVersion ?? templateVersion;
        // Sessions on the same day stay apart by their position in the request.
        const name = reportFileNameFor("session_note", patientPseudonym(session.patientId), EXTENSIONS[format], context.sessions[0]?.date ?? at);
        files.push({ name: name.replace(/\.([a-z]+)$/, `_${index + 1}.$1`), body: rendered.body });
        await reportProgress({ percent: 10 + Math.round((80 * (index + 1)) / found.length), stage: "rendering", rows: index + 1, totalRows: found.length });
      }
      // A ZIP may hold several patients' notes; then no single pseudonym names it.
      const zipName = reportFileNameFor("session_notes", job.patientId ? patientPseudonym(job.patientId) : "batch", "zip", at);
      return {
        body: await zipFiles(files),
        fileName: zipName,
        mimeType: "application/zip",
        auditDetails: { documents: files.length, batch: "zip", ...(templateVersion ? { templateVersion } : {}) },
      };
    }
  } else {
    await assertStillAllowed(actor, request.patient_id, job);
  }

  const context = await buildReportContext(request, { userId: actor.id, now: at });
  await reportProgress({ percent: 40, stage: "rendering" });
  const rendered = await renderContext(context, format, job.templateId, signal);

  return {
    body: rendered.body,
    // Dated as the document is ("Report date": the day of generated_at), so the name and the page agree.
    fileName: reportFileNameFor(request.export_type, patientPseudonym(context.patient.id), EXTENSIONS[format], context.generated_at.slice(0, 10)),
    mimeType: MIME_TYPES[format],
    auditDetails: {
      sessions: context.sessions.length,
      ...(rendered.templateId ? { renderedTemplateId: rendered.templateId, templateVersion: rendered.templateVersion } : {}),
    },
  };
};
