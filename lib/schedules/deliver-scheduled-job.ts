// Delivery of a scheduled run's file when its job ends (a job-finished hook, or the scheduler
// tick for a run a stopped process left behind): to a directory, by email or to a webhook.
// Every delivery's attempts and outcome are audited and kept on the run; a failed delivery
// counts as a failed run.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";

import { recordAudit } from "@/lib/audit/record";
import { sendExportEmail, type TSendExportEmailOptions, type TSmtpConfig } from "@/lib/delivery/email";
import { placeFileWithoutOverwrite } from "@/lib/delivery/place-file-without-overwrite";
import { buildDeliveryPath, resolveWithinBase } from "@/lib/delivery/storage-target";
import { smtpFromEnv } from "@/lib/delivery/smtp-from-env";
import { deliverWebhook, WEBHOOK_FAILED_FOR_OWNER } from "@/lib/delivery/webhook";
import { deliverWebhookFile, webhookDeliveryModeOf } from "@/lib/delivery/webhook-file";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { absoluteUrl, signDownloadLink } from "@/lib/jobs/download-link";
import type { TFinishedJob } from "@/lib/jobs/job-types";
import { logger } from "@/lib/logger";
import { getSettings } from "@/lib/settings/settings";
import { deliveredFileName } from "@/lib/schedules/delivered-file-name";
import { jobApiPaths } from "@/lib/schedules/job-api-paths";
import { recordRunFailed, recordRunSucceeded } from "@/lib/schedules/record-run-outcome";
import { emailRecipients } from "@/lib/schedules/email-recipients";
import { datasetTierOf } from "@/lib/schedules/schedule-access";
import { ruleOfSchedule } from "@/lib/schedules/schedule-rule-of";
import { webhookSecretFor } from "@/lib/schedules/webhook-secret";
import { readAll, storage } from "@/lib/storage";

/** Where `storage` deliveries go: DATA_DIR/deliveries (a schedule may name a sub-folder). */
export function deliveryBaseDir() {
  // A runtime-configured directory: not for the bundler to trace.
  return path.resolve(/*turbopackIgnore: true*/ env().DELIVERY_DIR ?? path.join(env().DATA_DIR, "deliveries"));
}

/**
 * `details` and `error` are stored on the run, which its owner sees; `auditDetails` go only to
 * the audit trail (admins), for what an owner must not learn (a webhook's connection errors).
 */
export type TDeliveryOutcome = { ok: boolean; method: string; details: Record<string, unknown>; error?: string; auditDetails?: Record<string, unknown> };

type TRunWithSchedule = NonNullable<Awaited<ReturnType<typeof loadRun>>>;
type TJobRow = NonNullable<TRunWithSchedule["job"]>;

/** How long one delivery may hold its run; after that a scheduler tick takes the run as interrupted (the process stopped mid-delivery). */
export const DELIVERY_LEASE_MS = 30 * 60_000;

/** A delivery interrupted this often is failed rather than tried again: it may be what stops the process. */
const MAX_DELIVERY_CLAIMS = 2;

/**
 * The state a run must still be in for a delivery to take it (the compare-and-set):
 * - queued: its job has finished and nobody has started delivering;
 * - running: a delivery took it at `claimedAt` and never finished (its lease ran out).
 */
export type TRunClaim = { status: "queued" } | { status: "running"; claimedAt: Date; claims: number };

function loadRun(runId: string) {
  return prisma.scheduleRun.findUnique({ where: { id: runId }, include: { job: true, schedule: { include: { user: { select: { email: true } } } } } });
}

/** The job-finished hook: ignores unscheduled jobs; runs at most once per run (compare-and-set on its status). */
export async function onScheduledJobFinished(finished: TFinishedJob) {
  if (!finished.scheduledReportId) return;
  const run = await prisma.scheduleRun.findUnique({ where: { jobId: finished.id }, select: { id: true } });
  if (!run) return;

  await deliverScheduledRun(run.id, { status: "queued" });
}

function unfinishedJobReason(job: TJobRow | null) {
  if (!job) return "The run's export job no longer exists.";
  if (job.status === "EXPIRED") return "The export's file expired before it was delivered.";
  if (job.status === "CANCELLED") return "The export job was cancelled.";

  return job.errorMessage ?? "The export job failed.";
}

/**
 * Delivers one run whose job has finished (or marks it failed), if `claim` still holds: the
 * job-finished hook and the scheduler tick's recovery may both try, and only the one whose
 * compare-and-set moves the run (stamping a new claimedAt, the delivery's lease) goes on.
 * Returns whether this call took the run.
 */
export async function deliverScheduledRun(runId: string, claim: TRunClaim): Promise<boolean> {
  const claims = claim.status === "running" ? claim.claims + 1 : 1;
  const claimedAt = new Date();
  const taken = await prisma.scheduleRun.updateMany({
    where: claim.status === "queued" ? { id: runId, status: "queued" } : { id: runId, status: "running", claimedAt: claim.claimedAt },
    data: { status: "running", claimedAt, deliveryLog: { phase: "delivering", claims, startedAt: claimedAt.toISOString() } as never },
  });
  if (taken.count === 0) return false;
  const run = await loadRun(runId);
  if (!run) return true;
  const owned = { claimedAt };

  if (claims > MAX_DELIVERY_CLAIMS) {
    const error = `The delivery was interrupted ${claims - 1} times (the server stopped while delivering) and is not tried again; the file may or may not have reached its target.`;
    const details = { interrupted: claims - 1 };
    await auditDelivery(run, { ok: false, method: run.schedule.deliveryMethod, details, error });
    await recordRunFailed(run.id, run.scheduleId, error, { owned, deliveryLog: { method: run.schedule.deliveryMethod, ok: false, at: new Date().toISOString(), ...details, error } });
    return true;
  }
  const job = run.job;
  if (!job || job.status !== "COMPLETED" || !job.fileKey) {
    await recordRunFailed(run.id, run.scheduleId, unfinishedJobReason(job), { owned, deliveryLog: null });
    return true;
  }

  const outcome = await deliver(run, job).catch((error: unknown): TDeliveryOutcome => {
    logger.error("scheduled delivery failed unexpectedly", { scheduleId: run.scheduleId, jobId: job.id, error });
    return { ok: false, method: run.schedule.deliveryMethod, details: {}, error: error instanceof Error ? error.message : "delivery failed" };
  });
  if (claims > 1) outcome.details = { ...outcome.details, resumedAfterInterruption: true };

  await auditDelivery(run, outcome);
  const deliveryLog = { method: outcome.method, ok: outcome.ok, at: new Date().toISOString(), ...outcome.details, ...(outcome.error ? { error: outcome.error } : {}) };
  if (outcome.ok) await recordRunSucceeded(run.id, run.scheduleId, { deliveryLog, owned });
  else await recordRunFailed(run.id, run.scheduleId, `Delivery by ${outcome.method} failed: ${outcome.error}`, { deliveryLog, owned });

  return true;
}

async function auditDelivery(run: TRunWithSchedule, outcome: TDeliveryOutcome) {
  await recordAudit(null, {
    action: outcome.ok ? "delivery_succeeded" : "delivery_failed",
    outcome: outcome.ok ? "success" : "failure",
    userId: run.schedule.userId,
    exportJobId: run.jobId,
    scheduleId: run.scheduleId,
    patientId: run.schedule.patientId,
    dataset: datasetTierOf(run.schedule),
    metadata: { runId: run.id, method: outcome.method, ...outcome.details, ...(outcome.error ? { error: outcome.error } : {}), ...outcome.auditDetails },
    meta: { via: "scheduler" },
  });
}

async function deliver(run: TRunWithSchedule, job: TJobRow): Promise<TDeliveryOutcome> {
  const schedule = run.schedule;
  const { timezone } = ruleOfSchedule(schedule);
  const fileName = deliveredFileName({
    exportType: schedule.exportType,
    datasetTier: datasetTierOf(schedule),
    patientId: schedule.patientId,
    jobFileName: job.fileName,
    format: job.format,
    scheduledFor: run.scheduledFor,
    completedAt: job.completedAt ?? new Date(),
    timeZone: timezone,
  });

  switch (schedule.deliveryMethod) {
    case "storage":
      if (env().DELIVERY_DRIVER === "s3") return deliverToStorageBucket(schedule.deliveryTarget, run.scheduledFor, timezone, fileName, job);
      return deliverToDirectory(schedule.deliveryTarget, run.scheduledFor, timezone, fileName, job.fileKey!);
    case "email":
      return deliverByEmail(schedule, job, fileName, timezone);
    case "webhook":
      return deliverToWebhook(run, job, fileName);
    default:
      return { ok: false, method: schedule.deliveryMethod, details: {}, error: `unknown delivery method ${schedule.deliveryMethod}` };
  }
}

async function deliverToStorageBucket(folder: string | null, scheduledFor: Date, timeZone: string, fileName: string, job: TJobRow): Promise<TDeliveryOutcome> {
  // Loaded here, not at the top: the AWS SDK costs every process that runs jobs ~22 MB otherwise.
  const { deliverToBucket } = await import("@/lib/delivery/bucket-delivery");
  const placed = await deliverToBucket({ folder, scheduledFor, timeZone, fileName, sha256: job.checksum ?? "", open: () => storage().get(job.fileKey!) });

  return { ok: true, method: "storage", details: { path: placed.relativePath, bucket: placed.bucket, ...(placed.isAlreadyPresent ? { alreadyPresent: true } : {}) } };
}

async function deliverToDirectory(folder: string | null, scheduledFor: Date, timeZone: string, fileName: string, fileKey: string): Promise<TDeliveryOutcome> {
  const base = folder ? resolveWithinBase(deliveryBaseDir(), folder) : deliveryBaseDir();
  const relative = buildDeliveryPath({ at: scheduledFor, tz: timeZone, fileName });
  const target = resolveWithinBase(base, relative);
  await mkdir(path.dirname(target), { recursive: true });
  // Written beside the target, then given its name without replacing any file already there
  // (another schedule's delivery may have the same name), so a reader never sees a
  // half-written file and no delivered file is ever lost.
  const partial = `${target}.${randomUUID()}.partial`;
  try {
    const hash = createHash("sha256");
    const hashing = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk;
      }
    };
    await pipeline(await storage().get(fileKey), hashing, createWriteStream(partial, { mode: 0o640, flags: "wx" }));
    const placed = await placeFileWithoutOverwrite({ partialPath: partial, targetPath: target, sha256: hash.digest("hex") });
    const placedRelative = `${path.posix.dirname(relative)}/${path.basename(placed.path)}`;

    return { ok: true, method: "storage", details: { path: folder ? `${folder}/${placedRelative}` : placedRelative, ...(placed.isAlreadyPresent ? { alreadyPresent: true } : {}) } };
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * A report's message carries a signed link (the recipient is the owner, or an admin's choice).
 * A dataset never goes by signed link (the download route refuses one): its message points at
 * the download that needs the owner signed in, which works as long as the file is kept.
 */
function emailLinkFor(job: TJobRow, lifetimeHours: number) {
  if (job.kind === "dataset") {
    return { url: absoluteUrl(jobApiPaths(job).download), expiresAt: job.expiresAt ?? new Date(Date.now() + lifetimeHours * 3_600_000) };
  }
  const signed = signDownloadLink(job.id, lifetimeHours);

  return { url: absoluteUrl(signed.path), expiresAt: signed.expiresAt };
}

async function deliverByEmail(schedule: TRunWithSchedule["schedule"], job: TJobRow, fileName: string, timeZone: string): Promise<TDeliveryOutcome> {
  const smtp = smtpFromEnv();
  if (!smtp) return { ok: false, method: "email", details: {}, error: "SMTP is not configured (set SMTP_HOST)" };
  const settings = await getSettings();
  const link = emailLinkFor(job, settings.link_lifetime_hours);
  const wantsAttachment = (schedule.parameters as { email_attach_file?: boolean } | null)?.email_attach_file === true;
  const attach = wantsAttachment && settings.email_attachments_allowed;
  const recipients = emailRecipients(schedule.deliveryTarget ?? schedule.user.email);
  const attachment = attach ? { filename: fileName, content: await readAll(await storage().get(job.fileKey!)), contentType: job.mimeType ?? "application/octet-stream" } : undefined;
  // One message per recipient, so recipients never see each other's addresses.
  const outcomes = [];
  for (const to of recipients) outcomes.push(await sendOneExportEmail(smtp, to, link, schedule.exportType, timeZone, attachment));
  const failed = outcomes.find((outcome) => !outcome.ok);
  const details = {
    recipientDomain: recipients[0]?.split("@")[1] ?? null,
    recipients: recipients.length,
    attached: attach,
    ...(wantsAttachment && !attach ? { attachmentRefused: "attachments are not allowed in settings" } : {}),
  };

  return failed && !failed.ok
    ? { ok: false, method: "email", details: { ...details, sent: outcomes.filter((outcome) => outcome.ok).length }, error: failed.error }
    : { ok: true, method: "email", details: { ...details, messageIds: outcomes.map((outcome) => (outcome.ok ? outcome.messageId : null)) } };
}

async function sendOneExportEmail(smtp: TSmtpConfig, to: string, link: { url: string; expiresAt: Date }, exportType: string, timeZone: string, attachment: TSendExportEmailOptions["attachment"]) {
  return sendExportEmail({
    smtp,
    to,
    downloadUrl: link.url,
    expiresAt: link.expiresAt,
    exportLabel: exportType === "dataset" ? "Scheduled dataset export ready" : "Scheduled report ready",
    timeZone,
    attachment,
  }).then(
    (result) => ({ ok: true as const, messageId: result.messageId }),
    (error: unknown) => ({ ok: false as const, error: error instanceof Error ? error.message : String(error) }),
  );
}

async function deliverToWebhook(run: TRunWithSchedule, job: TJobRow, fileName: string): Promise<TDeliveryOutcome> {
  const schedule = run.schedule;
  if (webhookDeliveryModeOf(schedule.parameters) === "file") return deliverFileToWebhook(run, job, fileName);
  // A notice that names the job, never a signed link: a signed link opens the file without
  // signing in, and a webhook may point anywhere (email, by contrast, only reaches the owner).
  // The receiver fetches the file through the API with the owner's API token, so the notice
  // alone gives nobody the data.
  const paths = jobApiPaths(job);
  const notice = {
    event: "scheduled_export.ready",
    schedule_id: schedule.id,
    run_id: run.id,
    scheduled_for: run.scheduledFor.toISOString(),
    job_id: job.id,
    export_type: schedule.exportType,
    file_name: fileName,
    mime_type: job.mimeType,
    size: job.fileSize,
    sha256: job.checksum,
    file_expires_at: job.expiresAt?.toISOString() ?? null,
    status_url: absoluteUrl(paths.status),
    download_url: absoluteUrl(paths.download),
    auth: "Both URLs need an API token of the schedule's owner: Authorization: Bearer <token>.",
  };
  const result = await deliverWebhook({
    url: schedule.deliveryTarget ?? "",
    secret: webhookSecretFor(schedule.id),
    body: JSON.stringify(notice),
    contentType: "application/json",
    deliveryId: run.id,
  });
  const details = { host: safeHost(schedule.deliveryTarget), deliveryId: result.deliveryId };
  const auditDetails = { attempts: result.attempts, ...(result.ok ? {} : { error: result.error ?? "webhook delivery failed" }) };

  return result.ok ? { ok: true, method: "webhook", details, auditDetails } : { ok: false, method: "webhook", details, error: WEBHOOK_FAILED_FOR_OWNER, auditDetails };
}

/** delivery_mode "file": the file itself, signed, with its SHA-256 (the policy allowed it at creation and before this run). */
async function deliverFileToWebhook(run: TRunWithSchedule, job: TJobRow, fileName: string): Promise<TDeliveryOutcome> {
  const schedule = run.schedule;
  const result = await deliverWebhookFile({
    url: schedule.deliveryTarget ?? "",
    secret: webhookSecretFor(schedule.id),
    deliveryId: run.id,
    open: () => storage().get(job.fileKey!),
    fileName,
    contentType: job.mimeType ?? "application/octet-stream",
    sha256: job.checksum ?? "",
    scheduleId: schedule.id,
    jobId: job.id,
    scheduledFor: run.scheduledFor,
  });
  const details = { host: safeHost(schedule.deliveryTarget), deliveryId: result.deliveryId, mode: "file", ...(result.bytes !== undefined ? { bytes: result.bytes } : {}) };
  const auditDetails = { attempts: result.attempts, ...(result.ok ? {} : { error: result.error ?? "webhook delivery failed" }) };
  // A refusal before any request (size, checksum) is the owner's to know; a receiver's answers are not (see WEBHOOK_FAILED_FOR_OWNER).
  const ownerError = result.attempts.length === 0 && result.error ? result.error : WEBHOOK_FAILED_FOR_OWNER;

  return result.ok ? { ok: true, method: "webhook", details, auditDetails } : { ok: false, method: "webhook", details, error: ownerError, auditDetails };
}

function safeHost(url: string | null) {
  try {
    return url ? new URL(url).host : null;
  } catch {
    return null;
  }
}
