// The delivery job of a scheduled run (job kind "delivery", lib/jobs/definitions/delivery.ts):
// the run's file to a folder or bucket, by email or to a webhook, or, when its export job did
// not complete, the run failed with the reason. The job system gives it leases, retries and crash
// recovery; this file keeps the schedule's rules and the run record. Every delivery's outcome is
// audited and kept on the run; a failed delivery counts as a failed run.
//
// Exactly once, across a worker killed mid-delivery: every write to the run goes through the
// job's lease (whileLeased), so a worker that lost the job can record nothing; a run with an
// outcome is never delivered again; and a retry after an interruption redoes only what is safe —
// a folder or bucket holds one copy (checked by content), a webhook is sent again with the same
// delivery id (receivers drop repeats), and an email whose sending was interrupted is not sent
// again (it may have arrived): the run fails, saying so.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";

import { recordAudit } from "@/lib/audit/record";
import type { TTx } from "@/lib/db/client";
import { sendExportEmail, type TSendExportEmailOptions, type TSmtpConfig } from "@/lib/delivery/email";
import { placeFileWithoutOverwrite } from "@/lib/delivery/place-file-without-overwrite";
import { buildDeliveryPath, resolveWithinBase } from "@/lib/delivery/storage-target";
import { smtpFromEnv } from "@/lib/delivery/smtp-from-env";
import { deliverWebhook, WEBHOOK_FAILED_FOR_OWNER } from "@/lib/delivery/webhook";
import { deliverWebhookFile, webhookDeliveryModeOf } from "@/lib/delivery/webhook-file";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { TJobFailure } from "@/lib/jobs/define-job";
import type { TDeliveryJobPayload } from "@/lib/jobs/definitions/delivery";
import { absoluteUrl, signDownloadLink } from "@/lib/jobs/download-link";
import type { TJobContext } from "@/lib/jobs/job-types";
import { getSettings } from "@/lib/settings/settings";
import { deliveredFileName } from "@/lib/schedules/delivered-file-name";
import { runIdOfDeliveryKey } from "@/lib/schedules/enqueue-run-delivery";
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

/**
 * What a delivery in progress keeps on its run (deliveryLog, phase "delivering"): the attempt,
 * and per email recipient whether its sending began and whether it finished, so an attempt after
 * an interruption knows what it must not send again.
 */
type TDeliveringLog = { phase: "delivering"; attempt: number; sending: string[]; sent: Record<string, string | null> };

/** Writes to the run, only while the delivery job still holds its lease. */
type TLeasedWrite = <T>(work: (tx: TTx) => Promise<T>) => Promise<T>;

const FINAL_RUN_STATUSES = ["delivered", "failed", "skipped"];

function loadRun(runId: string) {
  return prisma.scheduleRun.findUnique({ where: { id: runId }, include: { job: true, schedule: { include: { user: { select: { email: true } } } } } });
}

function deliveringLogOf(deliveryLog: unknown): TDeliveringLog | null {
  const log = deliveryLog as Partial<TDeliveringLog> | null;
  if (log?.phase !== "delivering") return null;

  return { phase: "delivering", attempt: typeof log.attempt === "number" ? log.attempt : 1, sending: Array.isArray(log.sending) ? log.sending : [], sent: log.sent && typeof log.sent === "object" ? log.sent : {} };
}

function unfinishedJobReason(job: TJobRow | null) {
  if (!job) return "The run's export job no longer exists.";
  if (job.status === "EXPIRED") return "The export's file expired before it was delivered.";
  if (job.status === "CANCELLED") return "The export job was cancelled.";

  return job.errorMessage ?? "The export job failed.";
}

/** The delivery job's handler: delivers one run, or records why it cannot; does nothing for a run that has its outcome. */
export async function deliverScheduledRun({ payload, job, whileLeased }: TJobContext<TDeliveryJobPayload>) {
  const run = await loadRun(payload.runId);
  // Gone with its schedule, or an earlier attempt recorded the outcome and stopped before completing the job.
  if (!run || FINAL_RUN_STATUSES.includes(run.status)) return;
  const previous = deliveringLogOf(run.deliveryLog);
  const log: TDeliveringLog = { phase: "delivering", attempt: job.attempts, sending: previous?.sending ?? [], sent: previous?.sent ?? {} };
  await whileLeased((tx) => tx.scheduleRun.update({ where: { id: run.id }, data: { status: "running", deliveryLog: log as never } }));

  const exportJob = run.job;
  if (!exportJob || exportJob.status !== "COMPLETED" || !exportJob.fileKey) {
    await whileLeased((tx) => recordRunFailed(run.id, run.scheduleId, unfinishedJobReason(exportJob), { deliveryLog: null, tx }));
    return;
  }

  const outcome = await deliver(run, exportJob, log, whileLeased);
  if (previous) outcome.details = { ...outcome.details, resumedAfterInterruption: true };
  const deliveryLog = { method: outcome.method, ok: outcome.ok, at: new Date().toISOString(), ...outcome.details, ...(outcome.error ? { error: outcome.error } : {}) };
  await whileLeased(async (tx) => {
    await auditDelivery(tx, run, outcome);
    if (outcome.ok) await recordRunSucceeded(run.id, run.scheduleId, { deliveryLog, tx });
    else await recordRunFailed(run.id, run.scheduleId, `Delivery by ${outcome.method} failed: ${outcome.error}`, { deliveryLog, tx });
  });
}

/**
 * The delivery job failed for good (interrupted or failing on every attempt, or a payload that
 * cannot be read): the run fails visibly and the failure is audited, in the job's final transaction.
 */
export async function recordDeliveryGivenUp(tx: TTx, { job, payload, message }: TJobFailure<TDeliveryJobPayload>) {
  const runId = payload?.runId ?? runIdOfDeliveryKey(job.uniqueKey);
  const run = runId ? await tx.scheduleRun.findUnique({ where: { id: runId }, include: { schedule: { select: { id: true, userId: true, patientId: true, deliveryMethod: true, exportType: true, datasetExport: true } } } }) : null;
  const method = run?.schedule.deliveryMethod ?? "unknown";
  const error = `Delivery failed: ${message} The file may or may not have reached its target.`;
  await recordAudit(tx, {
    action: "delivery_failed",
    outcome: "failure",
    userId: run?.schedule.userId ?? job.userId,
    exportJobId: run?.jobId ?? null,
    scheduleId: run?.scheduleId ?? job.scheduledReportId,
    patientId: run?.schedule.patientId ?? null,
    dataset: run ? datasetTierOf(run.schedule) : null,
    metadata: { runId, method, deliveryJobId: job.id, attempts: job.attempts, error },
    meta: { via: "scheduler" },
  });
  if (run) await recordRunFailed(run.id, run.scheduleId, error, { deliveryLog: { method, ok: false, at: new Date().toISOString(), attempts: job.attempts, error }, tx });
}

async function auditDelivery(tx: TTx, run: TRunWithSchedule, outcome: TDeliveryOutcome) {
  await recordAudit(tx, {
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

async function deliver(run: TRunWithSchedule, job: TJobRow, log: TDeliveringLog, whileLeased: TLeasedWrite): Promise<TDeliveryOutcome> {
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
      return deliverByEmail(run, job, fileName, timezone, log, whileLeased);
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

async function deliverByEmail(run: TRunWithSchedule, job: TJobRow, fileName: string, timeZone: string, log: TDeliveringLog, whileLeased: TLeasedWrite): Promise<TDeliveryOutcome> {
  const schedule = run.schedule;
  const smtp = smtpFromEnv();
  if (!smtp) return { ok: false, method: "email", details: {}, error: "SMTP is not configured (set SMTP_HOST)" };
  const settings = await getSettings();
  const link = emailLinkFor(job, settings.link_lifetime_hours);
  const wantsAttachment = (schedule.parameters as { email_attach_file?: boolean } | null)?.email_attach_file === true;
  const attach = wantsAttachment && settings.email_attachments_allowed;
  const recipients = emailRecipients(schedule.deliveryTarget ?? schedule.user.email);
  const attachment = attach ? { filename: fileName, content: await readAll(await storage().get(job.fileKey!)), contentType: job.mimeType ?? "application/octet-stream" } : undefined;
  const details = {
    recipientDomain: recipients[0]?.split("@")[1] ?? null,
    recipients: recipients.length,
    attached: attach,
    ...(wantsAttachment && !attach ? { attachmentRefused: "attachments are not allowed in settings" } : {}),
  };
  const markLog = (change: (log: TDeliveringLog) => void) => {
    change(log);
    return whileLeased((tx) => tx.scheduleRun.update({ where: { id: run.id }, data: { deliveryLog: log as never } }));
  };

  // One message per recipient, so recipients never see each other's addresses. An earlier
  // attempt's sent messages are not sent again; one whose sending began and never finished may
  // have arrived, so it is not sent again either, and the run says so.
  const outcomes: ({ ok: true; messageId: string | null } | { ok: false; error: string })[] = [];
  const interrupted: string[] = [];
  for (const to of recipients) {
    if (Object.hasOwn(log.sent, to)) {
      outcomes.push({ ok: true, messageId: log.sent[to] ?? null });
      continue;
    }
    if (log.sending.includes(to)) {
      interrupted.push(to);
      continue;
    }
    await markLog((log) => log.sending.push(to));
    const outcome = await sendOneExportEmail(smtp, to, link, schedule.exportType, timeZone, attachment);
    if (outcome.ok) await markLog((log) => ((log.sent[to] = outcome.messageId ?? null), (log.sending = log.sending.filter((address) => address !== to))));
    outcomes.push(outcome);
  }
  const sent = outcomes.filter((outcome) => outcome.ok).length;
  if (interrupted.length) {
    const error = `The delivery was interrupted while sending to ${interrupted.length} recipient(s); the message may have arrived, so it was not sent again.`;
    return { ok: false, method: "email", details: { ...details, sent, interrupted: interrupted.length }, error };
  }
  const failed = outcomes.find((outcome) => !outcome.ok);

  return failed && !failed.ok
    ? { ok: false, method: "email", details: { ...details, sent }, error: failed.error }
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
