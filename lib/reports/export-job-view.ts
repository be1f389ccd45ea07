import { absoluteUrl, signDownloadLink } from "@/lib/jobs/download-link";

type TJobRow = {
  id: string;
  kind: string;
  exportType: string;
  format: string;
  status: string;
  userId: string;
  patientId: string | null;
  templateId: string | null;
  scheduledReportId: string | null;
  progress: unknown;
  progressPercent: number;
  attempts: number;
  fileName: string | null;
  fileSize: number | null;
  mimeType: string | null;
  checksum: string | null;
  errorMessage: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  expiresAt: Date | null;
};

export type TJobView = ReturnType<typeof toJobView>;

/**
 * The API's view of a job (snake_case). A completed, unexpired report job gets a signed
 * `download_url`; its `expires_at` is the link's, never later than the file's own expiry
 * (`file_expires_at`). A dataset job never does: a signed link works for whoever holds it, and a
 * dataset is downloaded signed in (GET /api/v1/datasets/exports/{id}/download), so its
 * `download_url` stays null and `expires_at` is the file's. What people are shown as "Expires" is
 * `file_expires_at`, the file's: the link is only a way to it, and a fresh one is signed each time.
 */
export type TJobViewOptions = {
  linkLifetimeHours: number;
  patientName?: string | null;
  /** Who asked for the job, for admins' lists (name and email); left out for everyone else. */
  requestedBy?: { name: string; email: string } | null;
  /** The request the view answers: in development, links are built on the host it used. */
  request?: Request | null;
  now?: number;
};

export function toJobView(job: TJobRow, options: TJobViewOptions) {
  const now = options.now ?? Date.now();
  const downloadable = (job.kind === "report" || job.kind === "report_batch") && job.status === "COMPLETED" && (!job.expiresAt || job.expiresAt.getTime() > now);
  let link: { url: string; expiresAt: Date } | null = null;
  if (downloadable) {
    const signed = signDownloadLink(job.id, options.linkLifetimeHours, now);
    // The file may go before the link does (the download then answers 410); show the earlier.
    const expiresAt = job.expiresAt && job.expiresAt < signed.expiresAt ? job.expiresAt : signed.expiresAt;
    link = { url: absoluteUrl(signed.path, options.request), expiresAt };
  }

  return {
    id: job.id,
    kind: job.kind,
    export_type: job.exportType,
    format: job.format,
    status: job.status.toLowerCase(),
    progress: job.progress ?? null,
    progress_percent: job.progressPercent,
    attempts: job.attempts,
    patient_id: job.patientId,
    ...(options.patientName !== undefined ? { patient_name: options.patientName } : {}),
    user_id: job.userId,
    ...(options.requestedBy !== undefined ? { requested_by: options.requestedBy } : {}),
    template_id: job.templateId,
    scheduled_report_id: job.scheduledReportId,
    file_name: job.fileName,
    file_size: job.fileSize,
    /** The product spec's name for file_size. */
    file_size_bytes: job.fileSize,
    mime_type: job.mimeType,
    /** SHA-256 (hex) of the file as offered; `checksum` is the same value under its earlier name. */
    sha256: job.checksum,
    checksum: job.checksum,
    error: job.errorMessage,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    completed_at: job.completedAt?.toISOString() ?? null,
    file_expires_at: job.expiresAt?.toISOString() ?? null,
    download_url: link?.url ?? null,
    expires_at: link ? link.expiresAt.toISOString() : (job.expiresAt?.toISOString() ?? null),
  };
}
