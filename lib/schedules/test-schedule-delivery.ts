// "Send a test delivery": checks a schedule's delivery path end to end without any file or
// patient data — a test email to each recipient, a signed test notice to the webhook, or a
// write-and-remove in the delivery folder — and tells the person plainly what happened.
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { appUrl } from "@/lib/app-url/app-base-url";
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { sendExportEmail } from "@/lib/delivery/email";
import { emailUnavailableReason, smtpFromEnv } from "@/lib/delivery/smtp-from-env";
import { resolveWithinBase } from "@/lib/delivery/storage-target";
import { deliverWebhook, WEBHOOK_FAILED_FOR_OWNER } from "@/lib/delivery/webhook";
import { logger } from "@/lib/logger";
import { deliveryBaseDir } from "@/lib/schedules/deliver-scheduled-job";
import { emailRecipients } from "@/lib/schedules/email-recipients";
import { loadScheduleFor } from "@/lib/schedules/list-schedules";
import { webhookSecretFor } from "@/lib/schedules/webhook-secret";

export type TTestDeliveryResult = { ok: boolean; method: string; message: string };

type TSchedule = Awaited<ReturnType<typeof loadScheduleFor>>;

async function testStorage(schedule: TSchedule): Promise<TTestDeliveryResult> {
  const folder = schedule.deliveryTarget ?? "";
  try {
    const directory = folder ? resolveWithinBase(deliveryBaseDir(), folder) : deliveryBaseDir();
    await mkdir(directory, { recursive: true });
    const probe = path.join(directory, `.careexport-test-${randomUUID()}`);
    await writeFile(probe, "CareExport delivery test\n");
    await rm(probe, { force: true });

    return { ok: true, method: "storage", message: `The delivery folder${folder ? ` "${folder}"` : ""} on the server can be written to.` };
  } catch (error) {
    logger.error("schedule test delivery: the delivery folder is not writable", { scheduleId: schedule.id, error });

    return { ok: false, method: "storage", message: "The delivery folder on the server cannot be written to. An administrator should check DELIVERY_DIR and its permissions." };
  }
}

async function testEmail(schedule: TSchedule & { user: { email: string } }): Promise<TTestDeliveryResult> {
  const smtp = smtpFromEnv();
  if (!smtp) return { ok: false, method: "email", message: emailUnavailableReason()! };
  const recipients = emailRecipients(schedule.deliveryTarget ?? schedule.user.email);
  const failures: string[] = [];
  for (const to of recipients) {
    await sendExportEmail({ smtp, to, downloadUrl: appUrl(`/schedules/${schedule.id}`), expiresAt: new Date(), exportLabel: "Test delivery (no file)", isTest: true }).catch((error: unknown) => {
      logger.error("schedule test delivery: email failed", { scheduleId: schedule.id, error });
      failures.push(to);
    });
  }
  if (failures.length) return { ok: false, method: "email", message: `The test email could not be sent to ${failures.join(", ")}. The mail server refused it or could not be reached.` };

  return { ok: true, method: "email", message: `A test email was sent to ${recipients.join(", ")}.` };
}

async function testWebhook(schedule: TSchedule): Promise<TTestDeliveryResult> {
  const notice = { event: "scheduled_export.test", schedule_id: schedule.id, sent_at: new Date().toISOString() };
  const result = await deliverWebhook({ url: schedule.deliveryTarget ?? "", secret: webhookSecretFor(schedule.id), body: JSON.stringify(notice), contentType: "application/json", maxAttempts: 1 });

  return result.ok
    ? { ok: true, method: "webhook", message: "The webhook accepted a signed test notice." }
    : { ok: false, method: "webhook", message: `The test notice was not accepted: ${WEBHOOK_FAILED_FOR_OWNER}.` };
}

export async function testScheduleDelivery(actor: TActor, scheduleId: string, meta?: TRequestMeta | null): Promise<TTestDeliveryResult> {
  const row = await loadScheduleFor(actor, scheduleId, "schedule.manage", meta);
  const { prisma } = await import("@/lib/db/client");
  const owner = await prisma.user.findUniqueOrThrow({ where: { id: row.userId }, select: { email: true } });
  const schedule = { ...row, user: owner };
  const result = row.deliveryMethod === "email" ? await testEmail(schedule) : row.deliveryMethod === "webhook" ? await testWebhook(schedule) : await testStorage(schedule);
  await recordAudit(null, { action: "delivery_tested", outcome: result.ok ? "success" : "failure", userId: actor.id, scheduleId, metadata: { method: result.method }, meta });

  return result;
}
