// Runs a batch report job (kind report_batch): one report type for each patient the job lists
// (ExportJobPatient, in order). Each patient is asked of the policy again, as a single report job
// asks (an assignment may have ended since the request): a patient no longer accessible is skipped,
// the refusal audited, and listed in the manifest. Each patient's report is audited as a single
// export's is (export_completed, with the patient). The file is a ZIP of per-patient files written
// as a stream (one patient's document in memory at a time), or one combined PDF.
import { createHash } from "node:crypto";
import { PassThrough } from "node:stream";

import * as archiverModule from "archiver";
import type { Archiver } from "archiver";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { loadActiveActor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors/app-error";
import { PermanentJobError, type TJobContext, type TJobHandler, type TJobOutput, type TJobProgress } from "@/lib/jobs/job-types";
import { isPatientAssigned } from "@/lib/patients/patient-scope";
import type { TBatchJobParameters } from "@/lib/reports/batch-create-report-export";
import { parseBatchReportRequest, patientReportRequest, type TBatchReportRequest } from "@/lib/reports/batch-report-request";
import { buildReportContext } from "@/lib/reports/build-report-context";
import { EXTENSIONS, patientPseudonym, renderContext, reportFileNameFor, TITLES } from "@/lib/reports/report-job.handler";

type TZipArchiveClass = new (options?: { zlib?: { level?: number } }) => Archiver;
const { ZipArchive } = archiverModule as unknown as { ZipArchive: TZipArchiveClass };

/** Said of a patient the requester may no longer export, and of one gone since: the same words, so neither is told apart. */
const NOT_ACCESSIBLE = "no longer accessible to the requester";

type TTally = NonNullable<TJobProgress["patients"]>;

/** The stored request, validated again: a job row is data, not trusted code. */
function requestOf(job: TJobContext["job"]): TBatchReportRequest {
  const stored = (job.parameters ?? {}) as Partial<TBatchJobParameters>;
  try {
    return parseBatchReportRequest({ ...(stored.report ?? {}), ...(stored.selection ?? {}) });
  } catch (error) {
    throw new PermanentJobError(error instanceof AppError ? error.message : "The stored batch request is invalid");
  }
}

/** The single export's question, asked again for one patient now; a refusal is audited by authorize. */
async function isStillAllowed(actor: TActor, patientId: string, job: TJobContext["job"], meta: TRequestMeta) {
  const exists = await prisma.patient.findUnique({ where: { id: patientId }, select: { id: true } });
  if (!exists) return false;
  const isAssigned = await isPatientAssigned(prisma, actor, patientId);
  try {
    await authorize(actor, { action: "report.export", isAssigned }, { meta, patientId, exportJobId: job.id, details: { batch: true } });
    return true;
  } catch (error) {
    if (error instanceof AppError) return false;
    throw error;
  }
}

/** False (the patient recorded as skipped, the refusal audited) when the requester may no longer export this patient. */
async function admitPatient(state: TRunState, patientId: string) {
  if (await isStillAllowed(state.actor, patientId, state.job, state.meta)) return true;
  await setOutcome(state.job.id, patientId, { status: "skipped", reason: NOT_ACCESSIBLE });
  state.tally.skipped++;

  return false;
}

/** A failure that concerns this patient's document alone (its template cannot render it, or it is over the limits). */
const isDocumentFailure = (error: unknown): error is PermanentJobError => error instanceof PermanentJobError;

function setOutcome(jobId: string, patientId: string, data: { status: "included" | "skipped" | "failed"; reason?: string; fileName?: string }) {
  return prisma.exportJobPatient.update({ where: { jobId_patientId: { jobId, patientId } }, data: { status: data.status, reason: data.reason ?? null, fileName: data.fileName ?? null } });
}

/** The manifest: every patient of the batch by id and pseudonym (never a name), and what became of each. */
async function manifestOf(job: TJobContext["job"], request: TBatchReportRequest, tally: TTally, at: Date) {
  const rows = await prisma.exportJobPatient.findMany({ where: { jobId: job.id }, orderBy: { position: "asc" }, select: { patientId: true, status: true, reason: true, fileName: true } });

  return {
    export_type: request.report.export_type,
    format: request.report.format,
    scope: request.selection.scope,
    ...(request.selection.organization_id ? { organization_id: request.selection.organization_id } : {}),
    job_id: job.id,
    generated_at: at.toISOString(),
    counts: { total: tally.total, included: tally.included, skipped: tally.skipped, failed: tally.failed },
    patients: rows.map((row) => ({
      patient_id: row.patientId,
      pseudonym: patientPseudonym(row.patientId),
      status: row.status,
      ...(row.fileName ? { file: row.fileName } : {}),
      ...(row.reason ? { reason: row.reason } : {}),
    })),
  };
}

function noneIncluded(tally: TTally) {
  return new PermanentJobError(`None of the ${tally.total} patients could be exported (${tally.skipped} no longer accessible, ${tally.failed} could not be rendered).`);
}

/** Resolves once archiver has taken the entry in (it then holds no copy), so one document is in memory at a time. */
function appendEntry(archive: Archiver, sink: PassThrough, data: Buffer | string, name: string) {
  return new Promise<void>((resolve, reject) => {
    const onEntry = (entry: { name: string }) => {
      if (entry.name !== name) return;
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error("the export file was closed before it was complete"));
    };
    const cleanup = () => {
      archive.off("entry", onEntry);
      sink.off("close", onClose);
    };
    archive.on("entry", onEntry);
    sink.once("close", onClose);
    archive.append(data, { name });
  });
}

type TRunState = { job: TJobContext["job"]; actor: TActor; request: TBatchReportRequest; meta: TRequestMeta; at: Date; tally: TTally; patientIds: string[] };

async function progress(context: TJobContext, state: TRunState, stage: string, share = 90) {
  const { tally } = state;
  await context.reportProgress({ percent: 5 + Math.round((share * tally.done) / tally.total), stage, rows: tally.done, totalRows: tally.total, patients: { ...tally } });
}

function auditPatientExport(state: TRunState, patientId: string, details: Record<string, unknown>) {
  const { job } = state;
  return recordAudit(null, {
    action: "export_completed",
    userId: job.userId,
    exportJobId: job.id,
    patientId,
    templateId: job.templateId,
    scheduleId: job.scheduledReportId,
    metadata: { kind: job.kind, exportType: job.exportType, format: job.format, attempts: job.attempts, batch: true, ...details },
    meta: state.meta,
  });
}

/** The ZIP: each patient's file appended as it is rendered, then the manifest. Runs while storage reads the stream. */
async function writeZip(context: TJobContext, state: TRunState, archive: Archiver, sink: PassThrough) {
  const { job, actor, request, tally } = state;
  const extension = EXTENSIONS[request.report.format];
  for (const patientId of state.patientIds) {
    if (context.signal.aborted) throw new PermanentJobError("The export was cancelled.");
    if (await admitPatient(state, patientId)) {
      try {
        const report = await buildReportContext(patientReportRequest(request.report, patientId), { userId: actor.id, now: state.at });
        const rendered = await renderContext(report, request.report.format, job.templateId, context.signal);
        const fileName = reportFileNameFor(request.report.export_type, patientPseudonym(patientId), extension, report.generated_at.slice(0, 10));
        await appendEntry(archive, sink, rendered.body, fileName);
        await setOutcome(job.id, patientId, { status: "included", fileName });
        await auditPatientExport(state, patientId, { file: fileName, size: rendered.body.length, sha256: createHash("sha256").update(rendered.body).digest("hex"), ...(rendered.templateVersion ? { templateVersion: rendered.templateVersion } : {}) });
        tally.included++;
      } catch (error) {
        if (!isDocumentFailure(error)) throw error;
        await setOutcome(job.id, patientId, { status: "failed", reason: error.message });
        tally.failed++;
      }
    }
    tally.done++;
    await progress(context, state, "rendering");
  }
  if (!tally.included) throw noneIncluded(tally);
  await appendEntry(archive, sink, JSON.stringify(await manifestOf(job, request, tally, state.at), null, 2), "manifest.json");
  await archive.finalize();
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The combined PDF's last pages: what the ZIP's manifest says, for a reader of the PDF. */
function summaryHtml(manifest: Awaited<ReturnType<typeof manifestOf>>) {
  const rows = manifest.patients.map((p) => `<tr><td>${escapeHtml(p.pseudonym)}</td><td>${escapeHtml(p.patient_id)}</td><td>${escapeHtml(p.status)}</td><td>${escapeHtml(p.reason ?? "")}</td></tr>`).join("");
  const { counts } = manifest;

  return `<h1>Batch summary</h1>
<p>${escapeHtml(TITLES[manifest.export_type as keyof typeof TITLES] ?? manifest.export_type)} for ${counts.total} patients, generated ${escapeHtml(manifest.generated_at.slice(0, 10))}: ${counts.included} included, ${counts.skipped} skipped (no longer accessible), ${counts.failed} could not be rendered.</p>
<table><thead><tr><th>Pseudonym</th><th>Patient id</th><th>Status</th><th>Reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** One PDF: every accessible patient's report (each with its own running header and page count), then the summary. */
async function writeCombinedPdf(context: TJobContext, state: TRunState): Promise<Buffer> {
  const { job, actor, request, tally } = state;
  const [{ resolveTemplateForExport }, { runComputeTask }, { ComputeLimitError }] = await Promise.all([
    import("@/lib/templates/template-service"),
    import("@/lib/compute/run-compute-task"),
    import("@/lib/compute/compute-pool"),
  ]);
  const template = await resolveTemplateForExport(request.report.export_type, "pdf", job.templateId ?? undefined);
  const parts: ({ content: string; context: Record<string, unknown> } | { html: string })[] = [];
  const included: string[] = [];
  for (const patientId of state.patientIds) {
    if (context.signal.aborted) throw new PermanentJobError("The export was cancelled.");
    if (await admitPatient(state, patientId)) {
      const report = await buildReportContext(patientReportRequest(request.report, patientId), { userId: actor.id, now: state.at });
      parts.push({ content: template.content, context: report as unknown as Record<string, unknown> });
      included.push(patientId);
    }
    tally.done++;
    // Reading is the first half; laying the document out is the second.
    await progress(context, state, "loading", 45);
  }
  if (!included.length) throw noneIncluded(tally);
  tally.included = included.length;
  await prisma.exportJobPatient.updateMany({ where: { jobId: job.id, patientId: { in: included } }, data: { status: "included" } });
  parts.push({ html: summaryHtml(await manifestOf(job, request, tally, state.at)) });
  await context.reportProgress({ percent: 55, stage: "combining", rows: tally.done, totalRows: tally.total, patients: { ...tally } });

  let body: Buffer;
  try {
    const timeoutMs = env().REPORT_RENDER_SECONDS * 1000 * parts.length;
    const bytes = await runComputeTask("render.combined-pdf", { title: `${TITLES[request.report.export_type]}s`, parts }, { timeoutMs, signal: context.signal });
    body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    if (error instanceof AppError) throw new PermanentJobError(`The template could not be rendered: ${error.message}`);
    if (error instanceof ComputeLimitError) throw new PermanentJobError(error.message);
    throw error;
  }
  for (const patientId of included) await auditPatientExport(state, patientId, { combined: true, templateVersion: template.version });

  return body;
}

export const handleBatchReportJob: TJobHandler = async (context): Promise<TJobOutput> => {
  const { job } = context;
  const request = requestOf(job);
  const actor = await loadActiveActor(job.userId);
  if (!actor) throw new PermanentJobError("The requester's account is disabled or gone.");
  // A retry starts over: every patient is asked and rendered again.
  await prisma.exportJobPatient.updateMany({ where: { jobId: job.id }, data: { status: "pending", reason: null, fileName: null } });
  const patientIds = (await prisma.exportJobPatient.findMany({ where: { jobId: job.id }, orderBy: { position: "asc" }, select: { patientId: true } })).map((row) => row.patientId);
  if (!patientIds.length) throw new PermanentJobError("The batch lists no patients.");
  const state: TRunState = {
    job,
    actor,
    request,
    meta: { ...(job.requestMeta ?? {}), via: "worker" },
    at: new Date(),
    tally: { done: 0, total: patientIds.length, included: 0, skipped: 0, failed: 0 },
    patientIds,
  };
  await progress(context, state, "loading");
  // The tally is counted while the file is written and read by the job runner once it is stored,
  // so the completion record's counts are those of the stored file.
  const auditDetails = { batch: { scope: request.selection.scope, combined: request.selection.combined, patients: state.tally } };

  if (request.selection.combined) {
    const body = await writeCombinedPdf(context, state);
    return { body, fileName: reportFileNameFor(request.report.export_type, "batch", "pdf", state.at), mimeType: "application/pdf", auditDetails };
  }

  const archive = new ZipArchive({ zlib: { level: 6 } });
  const sink = new PassThrough();
  // The store reads the failure from the stream itself (stream.errored); without a listener, a failure
  // before the store attached its own (it creates a folder first) would be an uncaught 'error' event.
  sink.on("error", () => undefined);
  archive.on("error", (error) => sink.destroy(error));
  archive.on("warning", (error) => sink.destroy(error));
  archive.pipe(sink);
  // The runner stores the stream while this writes it; a failure here fails the store, and so the job.
  writeZip(context, state, archive, sink).catch((error: unknown) => {
    archive.abort();
    sink.destroy(error instanceof Error ? error : new Error(String(error)));
  });

  return { body: sink, fileName: reportFileNameFor(request.report.export_type, "batch", "zip", state.at), mimeType: "application/zip", auditDetails };
};
